// core/config/config_keys.cpp
//
// The configuration keys: their setters and the table, by section.
#include "core/config/config_keys.h"

#include <charconv>
#include <set>
#include <type_traits>

#include "core/log/log.h"

namespace hub::config::detail {

Error bad(std::string_view what) { return makeError("config.invalid", std::string(what)); }

Result<int64_t> parseInt(std::string_view v, int64_t lo, int64_t hi) {
  int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size())
    return bad("\"" + std::string(v) + "\" is not a whole number");
  if (out < lo || out > hi)
    return bad(std::to_string(out) + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return out;
}

bool startsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

Result<bool> parseBool(std::string_view v) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return bad("\"" + std::string(v) + "\" is not true or false");
}

std::vector<std::string> splitList(std::string_view v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t end = v.find(',', start);
    if (end == std::string_view::npos) end = v.size();
    auto item = v.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

namespace {

Setter intKey(auto member, int64_t lo, int64_t hi) {
  return [member, lo, hi](Config& c, std::string_view v) -> Status {
    auto n = parseInt(v, lo, hi);
    if (!n) return n.error();
    c.*member.first.*member.second =
        static_cast<std::remove_reference_t<decltype(c.*member.first.*member.second)>>(*n);
    return {};
  };
}

// "auto" (stored as -1) or a whole number in lo..hi.
Setter autoOrIntKey(auto member, int64_t lo, int64_t hi) {
  return [member, lo, hi](Config& c, std::string_view v) -> Status {
    if (v == "auto") {
      c.*member.first.*member.second = -1;
      return {};
    }
    auto n = parseInt(v, lo, hi);
    if (!n)
      return bad("\"" + std::string(v) + "\" is neither auto nor a whole number in " + std::to_string(lo) +
                 ".." + std::to_string(hi));
    c.*member.first.*member.second =
        static_cast<std::remove_reference_t<decltype(c.*member.first.*member.second)>>(*n);
    return {};
  };
}

Setter listenKey(auto section) {
  return [section](Config& c, std::string_view v) -> Status {
    auto hp = parseHostPort(v);
    if (!hp) return hp.error();
    (c.*section).listen = *hp;
    return {};
  };
}

Setter urlKey(auto member, std::vector<std::string> schemes, bool allowEmpty) {
  return [member, schemes, allowEmpty](Config& c, std::string_view v) -> Status {
    if (v.empty() && allowEmpty) {
      c.*member.first.*member.second = "";
      return {};
    }
    std::string list;
    for (const auto& s : schemes) {
      if (startsWith(v, s + "://") && v.size() > s.size() + 3) {
        c.*member.first.*member.second = std::string(v);
        return {};
      }
      if (s == "memory" && v == "memory://") {
        c.*member.first.*member.second = std::string(v);
        return {};
      }
      list += (list.empty() ? "" : ", ") + s + "://";
    }
    return bad("\"" + std::string(v) + "\" must start with " + list);
  };
}

Setter boolKey(auto member) {
  return [member](Config& c, std::string_view v) -> Status {
    auto b = parseBool(v);
    if (!b) return b.error();
    c.*member.first.*member.second = *b;
    return {};
  };
}

Setter stringKey(auto member) {
  return [member](Config& c, std::string_view v) -> Status {
    c.*member.first.*member.second = std::string(v);
    return {};
  };
}

template <class S, class M>
std::pair<S Config::*, M S::*> m(S Config::*s, M S::*f) {
  return {s, f};
}

// [rtmp] limits and [media]: a list of their own, placed after rtmp.public_url in table().
std::vector<Key> ingestKeys() {
  return {
      {"rtmp", "max_connections", "RTMP connections open at once; more are refused",
       intKey(m(&Config::rtmp, &Rtmp::maxConnections), 1, 100000)},
      {"rtmp", "handshake_timeout", "seconds a client gets from connecting to its connect command",
       intKey(m(&Config::rtmp, &Rtmp::handshakeTimeoutSeconds), 1, 600)},
      {"rtmp", "idle_timeout", "seconds without a byte from a client (stalled) before it is closed",
       intKey(m(&Config::rtmp, &Rtmp::idleTimeoutSeconds), 1, 3600)},
      {"rtmp", "max_message_bytes", "largest RTMP message (a video frame); larger closes the connection",
       intKey(m(&Config::rtmp, &Rtmp::maxMessageBytes), 65536, int64_t{256} << 20)},
      {"media", "health_interval", "seconds between live-status samples stored in SQL; 0 = off",
       intKey(m(&Config::media, &Media::healthIntervalSeconds), 0, 3600)},
      {"media", "health_keep_days", "days of live-status samples kept in SQL",
       intKey(m(&Config::media, &Media::healthKeepDays), 1, 3650)},
      {"media", "demo",
       "feed the stream \"demo\" from a built-in test publisher (HUB_DEMO=0 also turns it off)",
       boolKey(m(&Config::media, &Media::demo))},
  };
}

// [record] and [restream]: recording and simulcast (media/record, media/restream), appended
// after [hls] in table().
std::vector<Key> recordKeys() {
  return {
      {"record", "enabled", "record every live session for replay (true/false)",
       boolKey(m(&Config::record, &Record::enabled))},
      {"record", "export_mp4", "write an MP4 of the source rendition when a recording ends (true/false)",
       boolKey(m(&Config::record, &Record::exportMp4))},
      {"record", "max_queue_bytes", "bytes of segments waiting for the disk before segments are not recorded",
       intKey(m(&Config::record, &Record::maxQueueBytes), 1 << 20, int64_t{1} << 34)},
      {"record", "thumbnail_interval", "seconds between copies of the live thumbnail into a recording",
       intKey(m(&Config::record, &Record::thumbnailIntervalSeconds), 1, 3600)},
      {"restream", "max_queue_bytes",
       "bytes queued per restream target before it drops to the next key frame",
       intKey(m(&Config::restream, &Restream::maxQueueBytes), 64 << 10, int64_t{1} << 30)},
      {"restream", "connect_timeout", "seconds to connect and publish to a restream target",
       intKey(m(&Config::restream, &Restream::connectTimeoutSeconds), 1, 120)},
      {"restream", "send_timeout", "seconds a restream target may accept nothing before it is reconnected",
       intKey(m(&Config::restream, &Restream::sendTimeoutSeconds), 1, 120)},
      {"restream", "backoff_initial_ms", "first retry delay after a restream target failed, in ms (doubles)",
       intKey(m(&Config::restream, &Restream::backoffInitialMs), 10, 600000)},
      {"restream", "backoff_max_ms", "longest retry delay for a failing restream target, in ms",
       intKey(m(&Config::restream, &Restream::backoffMaxMs), 10, 3600000)},
  };
}

// [chat] keys added after the first list, placed after chat.history in table().
std::vector<Key> chatKeys() {
  return {
      {"chat", "join_history", "chat messages sent to a client joining without since (0 = none)",
       intKey(m(&Config::chat, &Chat::joinHistory), 0, 100000)},
      {"chat", "coalesce_ms",
       "auto: hold a busy big room's events briefly to send several in one write (see coalesce_max_ms); "
       "0: every event at once; N: every event may wait N ms",
       autoOrIntKey(m(&Config::chat, &Chat::coalesceMs), 0, 1000)},
      {"chat", "coalesce_max_ms", "with coalesce_ms = auto: the longest an event is held, in ms",
       intKey(m(&Config::chat, &Chat::coalesceMaxMs), 0, 1000)},
      {"chat", "coalesce_min_members",
       "with coalesce_ms = auto: rooms with fewer members on a node are never held",
       intKey(m(&Config::chat, &Chat::coalesceMinMembers), 1, 10000000)},
  };
}

// [cms_schedule]: the CMS scheduler and connectors, appended at the end of table().
std::vector<Key> cmsScheduleKeys() {
  auto cs = [](auto field) { return m(&Config::cmsSchedule, field); };
  return {
      {"cms_schedule", "enabled", "run the CMS scheduler (publishing) on this node (true/false)",
       boolKey(cs(&CmsSchedule::enabled))},
      {"cms_schedule", "dry_run", "connectors record what they would publish and send nothing (true/false)",
       boolKey(cs(&CmsSchedule::dryRun))},
      {"cms_schedule", "tick_ms", "milliseconds between looks for due posts",
       intKey(cs(&CmsSchedule::tickMs), 10, 60000)},
      {"cms_schedule", "batch", "due posts claimed per round", intKey(cs(&CmsSchedule::batch), 1, 10000)},
      {"cms_schedule", "senders", "posts sent at once", intKey(cs(&CmsSchedule::senders), 1, 256)},
      {"cms_schedule", "max_attempts", "sends per post before it fails",
       intKey(cs(&CmsSchedule::maxAttempts), 1, 100)},
      {"cms_schedule", "backoff_base_ms",
       "first retry delay after a retryable failure, in ms (doubles, jittered)",
       intKey(cs(&CmsSchedule::backoffBaseMs), 10, 3600000)},
      {"cms_schedule", "backoff_max_ms", "longest retry delay, in ms",
       intKey(cs(&CmsSchedule::backoffMaxMs), 10, 86400000)},
      {"cms_schedule", "lease_seconds",
       "seconds a send may take before another node treats it as interrupted",
       intKey(cs(&CmsSchedule::leaseSeconds), 5, 86400)},
      {"cms_schedule", "reconcile_delay_ms", "ms after an unknown outcome before the platform is asked",
       intKey(cs(&CmsSchedule::reconcileDelayMs), 0, 3600000)},
      {"cms_schedule", "reconcile_grace_seconds",
       "seconds after a send before \"not found\" means it never arrived",
       intKey(cs(&CmsSchedule::reconcileGraceSeconds), 0, 86400)},
      {"cms_schedule", "connect_timeout_ms", "connect timeout of the connectors' HTTP calls, in ms",
       intKey(cs(&CmsSchedule::connectTimeoutMs), 10, 120000)},
      {"cms_schedule", "request_timeout_ms", "whole-call timeout of the connectors' HTTP calls, in ms",
       intKey(cs(&CmsSchedule::requestTimeoutMs), 10, 600000)},
      {"cms_schedule", "wechat_base_url", "WeChat API base URL (an account's base_url setting wins)",
       urlKey(cs(&CmsSchedule::wechatBaseUrl), {"https", "http"}, false)},
      {"cms_schedule", "weibo_base_url", "Weibo API base URL",
       urlKey(cs(&CmsSchedule::weiboBaseUrl), {"https", "http"}, false)},
      {"cms_schedule", "douyin_base_url", "Douyin open platform base URL",
       urlKey(cs(&CmsSchedule::douyinBaseUrl), {"https", "http"}, false)},
      {"cms_schedule", "wechat_token_margin_seconds",
       "a WeChat access_token is refreshed this long before it expires",
       intKey(cs(&CmsSchedule::wechatTokenMarginSeconds), 0, 3600)},
      {"cms_schedule", "wechat_status_polls",
       "freepublish/get calls after a submit before the outcome is left to reconciliation",
       intKey(cs(&CmsSchedule::wechatStatusPolls), 0, 100)},
      {"cms_schedule", "wechat_poll_interval_ms", "ms between those calls",
       intKey(cs(&CmsSchedule::wechatPollIntervalMs), 0, 60000)},
      {"cms_schedule", "calendar_max_days", "longest range one calendar query may cover, in days",
       intKey(cs(&CmsSchedule::calendarMaxDays), 1, 3660)},
      {"cms_schedule", "max_posts_per_request", "posts (accounts x times) one scheduling request may create",
       intKey(cs(&CmsSchedule::maxPostsPerRequest), 1, 100000)},
  };
}

// [hls]: the LL-HLS packager (media/hls), appended at the end of table().
std::vector<Key> hlsKeys() {
  return {
      {"hls", "part_ms", "LL-HLS part target in milliseconds",
       intKey(m(&Config::hls, &Hls::partMs), 100, 2000)},
      {"hls", "segment_ms", "HLS segment target in milliseconds (cut at the next key frame)",
       intKey(m(&Config::hls, &Hls::segmentMs), 500, 20000)},
      {"hls", "window_segments", "complete segments kept in memory and listed in live playlists",
       intKey(m(&Config::hls, &Hls::windowSegments), 3, 1000)},
      {"hls", "grace_period", "seconds a stream waits for its publisher to come back before ENDLIST",
       intKey(m(&Config::hls, &Hls::graceSeconds), 0, 3600)},
      {"hls", "master_wait_ms", "how long a master playlist request waits for the ladder's rungs",
       intKey(m(&Config::hls, &Hls::masterWaitMs), 0, 60000)},
  };
}

// [cms_content] and [cms_upload]: CMS accounts' credentials and media uploads (cms/accounts,
// cms/media_library), appended at the end of table().
std::vector<Key> cmsContentKeys() {
  return {
      {"cms_content", "credentials_key",
       "64 hex digits sealing account credentials; empty: generated into the data dir (one machine only)",
       [](Config& c, std::string_view v) -> Status {
         if (!v.empty() &&
             (v.size() != 64 || v.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos))
           return bad("must be 64 hex digits (32 bytes)");
         c.cmsContent.credentialsKey = std::string(v);
         return {};
       }},
      {"cms_upload", "max_image_bytes", "largest image accepted by the CMS media library, in bytes",
       intKey(m(&Config::cmsUpload, &CmsUpload::maxImageBytes), 1024, int64_t{1} << 40)},
      {"cms_upload", "max_video_bytes", "largest video accepted by the CMS media library, in bytes",
       intKey(m(&Config::cmsUpload, &CmsUpload::maxVideoBytes), 1024, int64_t{1} << 40)},
      {"cms_upload", "max_audio_bytes", "largest audio file accepted by the CMS media library, in bytes",
       intKey(m(&Config::cmsUpload, &CmsUpload::maxAudioBytes), 1024, int64_t{1} << 40)},
  };
}

// [cms]: the CMS core (users, sessions, sign-in), appended at the end of table().
std::vector<Key> cmsKeys() {
  return {
      {"cms", "session_idle_timeout", "seconds a CMS session may go unused before it expires",
       intKey(m(&Config::cms, &Cms::sessionIdleSeconds), 60, 31536000)},
      {"cms", "session_lifetime", "seconds after sign-in when a CMS session expires, used or not",
       intKey(m(&Config::cms, &Cms::sessionLifetimeSeconds), 60, 31536000)},
      {"cms", "login_per_ip_per_minute", "CMS sign-in attempts allowed per client address per minute",
       intKey(m(&Config::cms, &Cms::loginPerIpPerMinute), 1, 100000)},
      {"cms", "login_per_user_per_minute", "CMS sign-in attempts allowed per username per minute",
       intKey(m(&Config::cms, &Cms::loginPerUserPerMinute), 1, 100000)},
      {"cms", "member_token_ttl", "seconds a chat member token issued by the CMS stays valid",
       intKey(m(&Config::cms, &Cms::memberTokenTtlSeconds), 60, 31536000)},
      {"cms", "password_hash_ops", "Argon2id passes per new password hash (libsodium opslimit, at least 1)",
       intKey(m(&Config::cms, &Cms::passwordHashOps), 1, 64)},
      {"cms", "password_hash_memory_kib", "Argon2id memory per new password hash in KiB (at least 8)",
       intKey(m(&Config::cms, &Cms::passwordHashMemoryKib), 8, int64_t{4} << 20)},
      {"cms", "live_poll_interval",
       "seconds between the live events' catch-up polls of media (lost announcements); 0 = off",
       intKey(m(&Config::cms, &Cms::livePollSeconds), 0, 86400)},
      {"cms", "challenge_app_per_minute", "step submissions one challenge app credential may send per minute",
       intKey(m(&Config::cms, &Cms::challengeAppPerMinute), 1, 100000000)},
      {"cms", "challenge_link_max_seconds", "longest lifetime a member's signed challenge link may have",
       intKey(m(&Config::cms, &Cms::challengeLinkMaxSeconds), 60, 31536000)},
      {"cms", "challenge_ranking",
       "challenge leaderboards: empty follows [bus] url (Redis or memory), \"memory\", or "
       "redis://host:port[/db]",
       stringKey(m(&Config::cms, &Cms::challengeRanking))},
      {"cms", "challenge_ranking_prefix", "prefix of the challenge boards' Redis keys",
       stringKey(m(&Config::cms, &Cms::challengeRankingPrefix))},
  };
}

const std::vector<Key>& baseTable() {
  static const std::vector<Key> keys = {
      {"http", "listen", "address:port the HTTP server binds, exactly (default 0.0.0.0:8080)",
       listenKey(&Config::http)},
      {"http", "public_url", "URL viewers use to reach the HTTP server (default http://localhost:<port>)",
       urlKey(m(&Config::http, &Http::publicUrl), {"http", "https"}, true)},
      {"http", "threads", "HTTP event-loop threads; 0 = one per core",
       intKey(m(&Config::http, &Http::threads), 0, 256)},
      {"http", "max_body_bytes", "largest request body accepted (413 above)",
       intKey(m(&Config::http, &Http::maxBodyBytes), 1024, int64_t{1} << 32)},
      {"http", "header_timeout", "seconds a client may take to send its request headers",
       intKey(m(&Config::http, &Http::headerTimeoutSeconds), 1, 3600)},
      {"http", "idle_timeout", "seconds an idle keep-alive connection stays open",
       intKey(m(&Config::http, &Http::idleTimeoutSeconds), 1, 86400)},
      {"http", "drain_timeout", "seconds in-flight requests get to finish on shutdown",
       intKey(m(&Config::http, &Http::drainTimeoutSeconds), 0, 600)},
      {"http", "cors_origins", "origins allowed by CORS on the API, comma-separated (* for any)",
       [](Config& c, std::string_view v) -> Status {
         c.http.corsOrigins = splitList(v);
         return {};
       }},
      {"http", "tls_cert", "PEM certificate file; with tls_key, serve HTTPS and HTTP/2",
       stringKey(m(&Config::http, &Http::tlsCert))},
      {"http", "tls_key", "PEM private key file", stringKey(m(&Config::http, &Http::tlsKey))},
      {"http", "web_root",
       "directory of the built viewers' web app served at / (default: found next to the binary or in the "
       "source tree)",
       stringKey(m(&Config::http, &Http::webRoot))},
      {"rtmp", "listen", "address:port the RTMP ingest binds, exactly (default 0.0.0.0:1935)",
       listenKey(&Config::rtmp)},
      {"rtmp", "public_url", "RTMP URL hosts publish to (default rtmp://localhost:<port>/live)",
       urlKey(m(&Config::rtmp, &Rtmp::publicUrl), {"rtmp", "rtmps"}, true)},
      {"transcode", "ladder",
       "transcoding ladder, e.g. \"720p:2500k,480p:1200k,360p:700k\"; empty: passthrough only",
       [](Config& c, std::string_view v) -> Status {
         auto ladder = parseLadder(v);
         if (!ladder) return ladder.error();
         c.transcode.ladder = std::move(*ladder);
         return {};
       }},
      {"transcode", "preset", "x264 speed preset of the ladder (ultrafast..medium)",
       [](Config& c, std::string_view v) -> Status {
         static const std::set<std::string_view> presets = {"ultrafast", "superfast", "veryfast",
                                                            "faster",    "fast",      "medium"};
         if (!presets.count(v)) return bad("\"" + std::string(v) + "\" is not an x264 preset up to medium");
         c.transcode.preset = std::string(v);
         return {};
       }},
      {"transcode", "queue_ms", "milliseconds of input a busy transcoder holds before it drops frames",
       intKey(m(&Config::transcode, &Transcode::queueMs), 100, 10000)},
      {"transcode", "thumbnail_interval", "seconds between live thumbnails",
       intKey(m(&Config::transcode, &Transcode::thumbnailIntervalSeconds), 1, 3600)},
      {"transcode", "thumbnail_width", "width of live thumbnails in pixels",
       intKey(m(&Config::transcode, &Transcode::thumbnailWidth), 16, 1920)},
      {"transcode", "thumbnail_idle_interval",
       "seconds between live thumbnails while nobody asked for thumb.jpg in that long",
       intKey(m(&Config::transcode, &Transcode::thumbnailIdleIntervalSeconds), 1, 3600)},
      {"data", "dir", "directory for the SQLite file, recordings and generated secrets (default ./data)",
       [](Config& c, std::string_view v) -> Status {
         if (v.empty()) return bad("must not be empty");
         c.data.dir = std::string(v);
         return {};
       }},
      {"sql", "url", "sqlite://<path> or mysql://user:pass@host:port/db (default sqlite://<data dir>/hub.db)",
       urlKey(m(&Config::sql, &Sql::url), {"sqlite", "mysql"}, true)},
      {"sql", "pool_size", "connections in the MySQL pool", intKey(m(&Config::sql, &Sql::poolSize), 1, 1024)},
      {"sql", "workers", "threads running blocking SQL work", intKey(m(&Config::sql, &Sql::workers), 1, 256)},
      {"bus", "url", "memory:// (one process) or redis://host:port",
       urlKey(m(&Config::bus, &Bus::url), {"memory", "redis"}, false)},
      {"auth", "secret", "secret that signs tokens (default: generated into the data dir)",
       [](Config& c, std::string_view v) -> Status {
         if (!v.empty() && v.size() < 16) return bad("must be at least 16 characters");
         c.auth.secret = std::string(v);
         return {};
       }},
      {"admin", "token", "bearer token for the admin API (empty: admin API refused)",
       stringKey(m(&Config::admin, &Admin::token))},
      // [chat]
      {"chat", "origins", "WebSocket Origins allowed on /ws, comma-separated (default: the public URL's)",
       [](Config& c, std::string_view v) -> Status {
         c.chat.origins = splitList(v);
         return {};
       }},
      {"chat", "max_connections_per_ip", "chat WebSocket connections allowed from one client address",
       intKey(m(&Config::chat, &Chat::maxConnectionsPerIp), 1, 1000000)},
      {"chat", "queue_bytes", "outgoing bytes queued per chat connection before it is closed (4008)",
       intKey(m(&Config::chat, &Chat::queueBytes), 4096, int64_t{1} << 30)},
      {"chat", "hello_timeout", "seconds a chat client has to send its hello (else close 4001)",
       intKey(m(&Config::chat, &Chat::helloTimeoutSeconds), 1, 3600)},
      {"chat", "history", "chat messages kept per room for resuming with since",
       intKey(m(&Config::chat, &Chat::history), 1, 100000)},
      {"chat", "max_text", "longest chat message, in characters (code points)",
       intKey(m(&Config::chat, &Chat::maxTextCodePoints), 1, 2000)},
      {"chat", "rate_burst", "chat messages a user may send at once",
       intKey(m(&Config::chat, &Chat::rateBurst), 1, 10000)},
      {"chat", "rate_per_minute", "chat messages a user may send per minute after the burst",
       intKey(m(&Config::chat, &Chat::ratePerMinute), 1, 600000)},
      {"chat", "likes_per_second", "likes counted per connection per second (more are ignored)",
       intKey(m(&Config::chat, &Chat::likesPerSecond), 1, 100000)},
      {"chat", "likes_interval_ms", "at most one likes event per room per this many milliseconds",
       intKey(m(&Config::chat, &Chat::likesIntervalMs), 50, 60000)},
      {"chat", "viewers_interval_ms", "viewer counts are sent (when changed) every this many milliseconds",
       intKey(m(&Config::chat, &Chat::viewersIntervalMs), 100, 600000)},
      {"chat", "guest_token_ttl", "seconds a guest token from POST /api/v1/chat/token stays valid",
       intKey(m(&Config::chat, &Chat::guestTokenTtlSeconds), 60, 31536000)},
      {"chat", "guest_tokens_per_minute", "guest tokens one client address may get per minute",
       intKey(m(&Config::chat, &Chat::guestTokensPerMinute), 1, 100000)},
      {"chat", "words_block", "files of words (one per line) that block a chat message, comma-separated",
       stringKey(m(&Config::chat, &Chat::wordsBlock))},
      {"chat", "words_mask", "files of words (one per line) masked with * in chat, comma-separated",
       stringKey(m(&Config::chat, &Chat::wordsMask))},
      {"log", "level", "trace, debug, info, warn, error or off",
       [](Config& c, std::string_view v) -> Status {
         if (!log::validLevel(v)) return bad("\"" + std::string(v) + "\" is not a log level");
         c.log.level = std::string(v);
         return {};
       }},
      {"log", "format", "text or json (one JSON object per line)",
       [](Config& c, std::string_view v) -> Status {
         if (v != "text" && v != "json") return bad("\"" + std::string(v) + "\" must be text or json");
         c.log.format = std::string(v);
         return {};
       }},
      {"log", "modules", "per-module levels, e.g. \"media.rtmp=debug,chat=warn\" (a table in TOML)",
       [](Config& c, std::string_view v) -> Status {
         for (const auto& item : splitList(v)) {
           auto eq = item.find('=');
           if (eq == std::string::npos || eq == 0) return bad("\"" + item + "\" is not module=level");
           auto level = item.substr(eq + 1);
           if (!log::validLevel(level)) return bad("\"" + level + "\" is not a log level");
           c.log.modules[item.substr(0, eq)] = level;
         }
         return {};
       }},
  };
  return keys;
}

}  // namespace

const std::vector<Key>& table() {
  static const std::vector<Key> keys = [] {
    std::vector<Key> all = baseTable();
    auto at = all.begin();
    while (at != all.end() && at->name() != "rtmp.public_url") ++at;
    auto extra = ingestKeys();
    all.insert(at == all.end() ? at : at + 1, extra.begin(), extra.end());
    at = all.begin();
    while (at != all.end() && at->name() != "chat.history") ++at;
    auto chat = chatKeys();
    all.insert(at == all.end() ? at : at + 1, chat.begin(), chat.end());
    auto hls = hlsKeys();
    all.insert(all.end(), hls.begin(), hls.end());
    auto record = recordKeys();
    all.insert(all.end(), record.begin(), record.end());
    auto cmsContent = cmsContentKeys();
    all.insert(all.end(), cmsContent.begin(), cmsContent.end());
    auto cms = cmsKeys();
    all.insert(all.end(), cms.begin(), cms.end());
    auto cmsSchedule = cmsScheduleKeys();
    all.insert(all.end(), cmsSchedule.begin(), cmsSchedule.end());
    return all;
  }();
  return keys;
}

}  // namespace hub::config::detail
