// cms/challenge/app_credentials.h
//
// The organisation's app credentials (server to server): an id and a 64-hex-digit secret shown
// once when an admin creates it. The secret is stored sealed with the accounts' CredentialBox
// (it must be recoverable: it also signs members' links, member_link.h). The app sends
// `Authorization: Bearer <id>.<secret>` on the steps route. Checked credentials are cached for
// kCacheSeconds; a revocation drops them sooner: at once on the node that revoked (forget()),
// and on every other node when its change watcher sees the topic kTopic move (the revoking
// transaction bumps it; the module calls forgetAll(); core/sql/change_feed.h, 250 ms polls).
// authenticateCached() answers from the cache alone, cheap enough for an HTTP loop thread.
// Thread-safe; time from the injected Clock.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "cms/accounts/credential_box.h"
#include "core/sql/database.h"
#include "core/util/clock.h"

namespace hub::cms::challenge {

struct App {
  std::int64_t id = 0;
  std::int64_t orgId = 0;  // the app may submit to challenges whose scope lies in this subtree
  std::string name;
  std::string secret;
};

class AppCredentials {
 public:
  static constexpr int kCacheSeconds = 10;
  static constexpr const char* kTopic = "cms.challenge.apps";  // hub_changes topic of revocations

  AppCredentials(sql::Database& db, std::optional<accounts::CredentialBox> box, const Clock& clock)
      : db_(db), box_(std::move(box)), clock_(clock) {}

  // A fresh secret (64 hex digits) and its sealed form for the row.
  static std::string newSecret();
  // "challenge.no_key" when no credentials key could be loaded.
  Result<std::string> seal(std::string_view secret) const;

  // The app behind `Authorization: Bearer <id>.<secret>`; "challenge.bad_credential" for a
  // missing, malformed, unknown, revoked or wrong one.
  Result<App> authenticate(std::string_view authorizationHeader);
  // The same answer when the cache holds it (a malformed header needs no cache either);
  // nullopt when it needs SQL. Never blocks on SQL.
  std::optional<Result<App>> authenticateCached(std::string_view authorizationHeader);
  // The live (not revoked) app `id`, or nullopt.
  Result<std::optional<App>> find(std::int64_t id);
  void forget(std::int64_t id);
  void forgetAll();

 private:
  struct Bearer {
    std::int64_t id = 0;
    std::string_view secret;
  };
  static std::optional<Bearer> parse(std::string_view header);
  static Result<App> check(const std::optional<App>& app, const Bearer& b);

  struct Cached {
    std::optional<App> app;
    Clock::Steady at;
  };
  sql::Database& db_;
  std::optional<accounts::CredentialBox> box_;
  const Clock& clock_;
  std::mutex mu_;
  std::unordered_map<std::int64_t, Cached> cache_;
  // Bumped by forget()/forgetAll(): a lookup that read SQL before a revocation caches nothing.
  std::uint64_t generation_ = 0;
};

}  // namespace hub::cms::challenge
