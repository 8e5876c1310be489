// cms/live/word_list_routes.cpp
//
// Reads and replaces the word lists through core's word-list store, in the same transaction as
// the audit entry.
#include "cms/live/word_list_routes.h"

#include <chrono>
#include <map>
#include <set>

#include "cms/api/routes.h"
#include "cms/audit/audit_log.h"
#include "core/log/log.h"
#include "core/service/word_lists.h"

namespace hub::cms::live {
namespace {

using auth::Role;

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("cms.moderation");
  return log;
}

// Per list, the words in `from` that `to` lacks (at most 200 of them, then a count).
Json difference(const std::vector<service::StoredWordList>& from,
                const std::vector<service::StoredWordList>& to) {
  std::map<std::string, std::set<std::string>> other;
  for (const auto& l : to) other[l.name].insert(l.words.begin(), l.words.end());
  Json out = Json::object();
  for (const auto& l : from) {
    static const std::set<std::string> none;
    const auto it = other.find(l.name);
    const bool known = it != other.end();
    const auto& there = known ? it->second : none;
    Json words = Json::array();
    std::size_t more = 0;
    for (const auto& w : l.words) {
      if (there.count(w)) continue;
      if (words.size() < 200)
        words.push_back(w);
      else
        ++more;
    }
    if (words.empty() && known) continue;  // a new or dropped list is listed even when empty
    Json entry = {{"kind", l.kind}, {"words", words}};
    if (more) entry["more"] = more;
    out[l.name] = entry;
  }
  return out;
}

}  // namespace

void addWordListRoutes(CmsContext& ctx) {
  addRoute(ctx, http::Method::Get, "/api/v1/moderation/words", Guard::Signed,
           [&ctx](CmsRequest& req) -> Reply {
             if (!req.actor.hasRole(Role::Moderator) && !req.actor.hasRole(Role::Host))
               return ApiError::forbidden();
             auto lists = service::loadWordLists(ctx.base.db);
             if (!lists) return lists.error();
             return Json::parse(service::wordListsToJson(*lists));
           });

  RouteOptions raw;
  raw.parseJson = false;  // one error code for bad JSON, bad UTF-8 and bad words alike
  addRoute(
      ctx, http::Method::Put, "/api/v1/moderation/words", Guard::Signed,
      [&ctx](CmsRequest& req) -> Reply {
        if (!req.actor.hasRole(Role::Moderator)) return ApiError::forbidden();
        auto lists = service::wordListsFromJson(req.http.body);
        if (!lists) return ApiError::badRequest(lists.error().code, lists.error().message);
        const std::string by = req.actor.displayName.empty() ? req.actor.username : req.actor.displayName;
        const auto now =
            std::chrono::duration_cast<std::chrono::milliseconds>(ctx.base.clock.wall().time_since_epoch())
                .count();
        std::size_t words = 0;
        for (const auto& l : *lists) words += l.words.size();
        Reply reply = inTransaction(ctx, [&](sql::Transaction& tx) -> Reply {
          auto before = service::loadWordLists(tx);
          if (!before) return before.error();
          if (auto st = service::replaceWordLists(tx, *lists, now, by); !st) {
            if (st.error().code == "words.invalid")
              return ApiError::badRequest(st.error().code, st.error().message);
            return st.error();
          }
          auto after = service::loadWordLists(tx);
          if (!after) return after.error();
          if (auto st = ctx.audit.record(tx, req.actor, "moderation.words", "word_lists", "all",
                                         Json{{"removed", difference(*before, *after)}},
                                         Json{{"added", difference(*after, *before)}});
              !st)
            return st.error();
          return Json::parse(service::wordListsToJson(*after));
        });
        if (!reply.isError())
          logger()->info("[user={}] word lists replaced: {} lists, {} words", req.actor.userId, lists->size(),
                         words);
        return reply;
      },
      raw);
}

}  // namespace hub::cms::live
