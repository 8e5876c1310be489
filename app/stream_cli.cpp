// app/stream_cli.cpp
#include "app/stream_cli.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "app/serve.h"
#include "app/services.h"
#include "core/sql/migration.h"
#include "media/streams/stream_store.h"

namespace hub::app {
namespace {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "hub: %s\n", message.c_str());
  return code;
}

nlohmann::json toJson(const config::Config& c, const media::streams::Stream& s) {
  return {{"name", s.name},
          {"title", s.title},
          {"key", s.key},
          {"server_url", c.rtmp.publicUrl},
          {"publish_url", c.rtmp.publicUrl + "/" + s.key},
          {"playback_url", c.http.publicUrl + "/live/" + s.name + "/master.m3u8"},
          {"passthrough_only", s.passthroughOnly},
          {"ladder", media::streams::ladderToJson(s.ladder)},
          {"restream_targets", s.restreamTargets},
          {"created_at", s.createdAt}};
}

void print(const config::Config& c, const media::streams::Stream& s, bool json) {
  if (json) {
    std::printf("%s\n", toJson(c, s).dump().c_str());
    return;
  }
  std::printf(
      "stream %s (%s)\n  server:   %s\n  key:      %s\n  publish:  %s/%s\n  playback: "
      "%s/live/%s/master.m3u8\n",
      s.name.c_str(), s.title.c_str(), c.rtmp.publicUrl.c_str(), s.key.c_str(), c.rtmp.publicUrl.c_str(),
      s.key.c_str(), c.http.publicUrl.c_str(), s.name.c_str());
}

int exitFor(const Error& e) {
  return e.code == "media.bad_name" || e.code == "media.bad_request" ? kUsage : kRuntime;
}

}  // namespace

int runStream(const config::Config& config, const Invocation& inv) {
  auto db = openDatabase(config, nullptr);
  if (!db) return fail(kRuntime, db.error().wrap("sql").message);
  if (auto st = sql::migrate(**db, allMigrations()); !st)
    return fail(kRuntime, st.error().wrap("migrate").message);
  media::streams::StreamStore store(**db, SystemClock::instance());
  const std::string& action = inv.args[0];
  const std::string name = inv.args.size() > 1 ? inv.args[1] : "";

  if (action == "list") {
    auto list = store.list();
    if (!list) return fail(kRuntime, list.error().message);
    if (inv.json) {
      auto arr = nlohmann::json::array();
      for (const auto& s : *list) arr.push_back(toJson(config, s));
      std::printf("%s\n", arr.dump().c_str());
    } else {
      if (list->empty()) std::printf("no streams yet: hub stream create NAME\n");
      for (const auto& s : *list) std::printf("%-24s %s\n", s.name.c_str(), s.title.c_str());
    }
    return kOk;
  }
  if (action == "delete") {
    if (auto st = store.remove(name); !st) return fail(exitFor(st.error()), st.error().message);
    std::printf("deleted stream %s\n", name.c_str());
    return kOk;
  }
  Result<media::streams::Stream> s = action == "create"       ? store.create(name, inv.title)
                                     : action == "rotate-key" ? store.rotateKey(name)
                                                              : store.get(name);
  if (!s) return fail(exitFor(s.error()), s.error().message);
  print(config, *s, inv.json);
  return kOk;
}

}  // namespace hub::app
