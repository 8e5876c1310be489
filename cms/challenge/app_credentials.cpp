// cms/challenge/app_credentials.cpp
//
// App credentials: secrets, sealing, the bearer check and its short cache.
#include "cms/challenge/app_credentials.h"

#include <sodium.h>

#include <charconv>

#include "cms/connectors/signing.h"

namespace hub::cms::challenge {

std::string AppCredentials::newSecret() {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

Result<std::string> AppCredentials::seal(std::string_view secret) const {
  if (!box_) return makeError("challenge.no_key", "the credentials key is not available");
  return box_->seal(secret);
}

Result<std::optional<App>> AppCredentials::find(std::int64_t id) {
  const auto now = clock_.steady();
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
    auto it = cache_.find(id);
    if (it != cache_.end() && now - it->second.at < std::chrono::seconds(kCacheSeconds))
      return it->second.app;
  }
  auto rows = db_.query(
      "SELECT id, org_id, name, secret_sealed FROM cms_challenge_apps WHERE id = ? AND revoked_at IS NULL",
      {id});
  if (!rows) return rows.error().wrap("app credential");
  std::optional<App> app;
  if (!rows->empty()) {
    if (!box_) return makeError("challenge.no_key", "the credentials key is not available");
    auto secret = box_->open((*rows)[0].getString("secret_sealed"));
    if (!secret) return secret.error();
    app = App{id, (*rows)[0].getInt("org_id"), (*rows)[0].getString("name"), std::move(*secret)};
  }
  std::lock_guard lock(mu_);
  if (generation != generation_) return app;
  if (cache_.size() > 10000) cache_.clear();
  cache_[id] = Cached{app, now};
  return app;
}

void AppCredentials::forget(std::int64_t id) {
  std::lock_guard lock(mu_);
  ++generation_;
  cache_.erase(id);
}

void AppCredentials::forgetAll() {
  std::lock_guard lock(mu_);
  ++generation_;
  cache_.clear();
}

std::optional<AppCredentials::Bearer> AppCredentials::parse(std::string_view header) {
  constexpr std::string_view kBearer = "Bearer ";
  if (header.substr(0, kBearer.size()) != kBearer) return std::nullopt;
  header.remove_prefix(kBearer.size());
  const auto dot = header.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(header.data(), header.data() + dot, id);
  if (ec != std::errc() || p != header.data() + dot || id <= 0) return std::nullopt;
  return Bearer{id, header.substr(dot + 1)};
}

Result<App> AppCredentials::check(const std::optional<App>& app, const Bearer& b) {
  if (!app || !connectors::signatureEquals(b.secret, app->secret))
    return makeError("challenge.bad_credential", "send Authorization: Bearer <id>.<secret>");
  return *app;
}

Result<App> AppCredentials::authenticate(std::string_view header) {
  auto b = parse(header);
  if (!b) return check(std::nullopt, Bearer{});
  auto app = find(b->id);
  if (!app) return app.error();
  return check(*app, *b);
}

std::optional<Result<App>> AppCredentials::authenticateCached(std::string_view header) {
  auto b = parse(header);
  if (!b) return check(std::nullopt, Bearer{});
  const auto now = clock_.steady();
  std::lock_guard lock(mu_);
  auto it = cache_.find(b->id);
  if (it == cache_.end() || now - it->second.at >= std::chrono::seconds(kCacheSeconds)) return std::nullopt;
  return check(it->second.app, *b);
}

}  // namespace hub::cms::challenge
