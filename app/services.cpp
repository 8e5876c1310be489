#include "app/services.h"

#include "chat/chat_service.h"
#include "cms/cms_service.h"
#include "core/sql/change_feed.h"
#include "media/service/media_service.h"

namespace hub::app {

std::vector<std::unique_ptr<service::Service>> servicesFor(const std::string& role) {
  std::vector<std::unique_ptr<service::Service>> out;
  // media, chat and cms register here as their issues land; `role` then picks one of them.
  if (role.empty() || role == "media") out.push_back(std::make_unique<media::service::MediaService>());
  if (role.empty() || role == "chat") out.push_back(std::make_unique<chat::ChatService>());
  if (role.empty() || role == "cms") out.push_back(std::make_unique<cms::CmsService>());
  return out;
}

std::vector<sql::Migration> allMigrations() {
  auto all = sql::coreMigrations();
  for (const auto& s : servicesFor("")) {
    auto m = s->migrations();
    all.insert(all.end(), m.begin(), m.end());
  }
  return all;
}

}  // namespace hub::app
