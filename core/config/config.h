// core/config/config.h
//
// The hub's configuration: one typed struct per section, loaded once at start-up from defaults,
// then hub.toml, then HUB_<SECTION>_<KEY> environment variables, then --<section>-<key> flags
// (each later layer wins), validated, and passed by const& to whoever needs it. Every key has a
// default that is right for one machine; deploy/hub.example.toml documents them all.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/result.h"

namespace hub::config {

struct HostPort {
  std::string host;  // "0.0.0.0", "127.0.0.1", "::1", "localhost"
  uint16_t port = 0;
  std::string str() const;  // "127.0.0.1:8080", "[::1]:8080"
};

// "0.0.0.0:8080", "[::1]:8080", "localhost:0" -> HostPort; errors say what is wrong.
Result<HostPort> parseHostPort(std::string_view text);

struct Http {
  HostPort listen{"0.0.0.0", 8080};
  std::string publicUrl;  // default: http://localhost:<port>
  int threads = 0;        // 0: one per core
  int64_t maxBodyBytes = 1 << 20;
  int headerTimeoutSeconds = 10;
  int idleTimeoutSeconds = 60;
  int drainTimeoutSeconds = 10;
  std::vector<std::string> corsOrigins;  // empty: no CORS headers on the API
  std::string tlsCert, tlsKey;           // both set: HTTPS (and HTTP/2)
  std::string webRoot;                   // the viewers' web app (player-web/dist); empty: found
};

struct Rtmp {
  HostPort listen{"0.0.0.0", 1935};
  std::string publicUrl;  // default: rtmp://localhost:<port>/live
  int maxConnections = 1000;
  int handshakeTimeoutSeconds = 10;  // accept -> connect command
  int idleTimeoutSeconds = 30;       // a publisher sending nothing this long is closed
  int64_t maxMessageBytes = 8 << 20;
};

struct Media {
  int healthIntervalSeconds = 5;  // live status sampled into media_stream_health; 0: off
  int healthKeepDays = 7;         // older samples are deleted
  // The built-in demo channel "demo" (media/pipeline/demo_publisher.h). HUB_DEMO=0 in the
  // environment turns it off too (tests and benchmarks set it).
  bool demo = true;
};

// [transcode]: the GStreamer ladder (media/pipeline) and live thumbnails.
struct TranscodeRung {
  std::string id;       // "720p": the rendition's id and URL path segment
  int height = 0;       // output height; width keeps the source's aspect ratio (even)
  int64_t bitrate = 0;  // bits/s of the video encoder
};
// "720p:2500k,480p:1200k,360p:700k" -> rungs (highest first); "" -> none (passthrough only).
// Bitrates take a k or M suffix (or plain bits/s); heights 16..4320, even.
Result<std::vector<TranscodeRung>> parseLadder(std::string_view text);
std::string formatLadder(const std::vector<TranscodeRung>& ladder);

struct Transcode {
  std::vector<TranscodeRung> ladder = {
      {"720p", 720, 2'500'000}, {"480p", 480, 1'200'000}, {"360p", 360, 700'000}};
  std::string preset = "veryfast";  // x264 speed preset
  int queueMs = 1000;               // encoded input held before frames are dropped
  int thumbnailIntervalSeconds = 5;
  int thumbnailWidth = 320;
  int thumbnailIdleIntervalSeconds = 60;  // while nobody asked for thumb.jpg that long
};

// [hls]: the LL-HLS packager (media/hls).
struct Hls {
  int partMs = 334;         // part target: 10 frames at 30 fps
  int segmentMs = 2000;     // segments are cut at the first key frame past this
  int windowSegments = 10;  // complete segments kept in memory and listed
  int graceSeconds = 30;    // a publisher that left may come back this long before ENDLIST
  int masterWaitMs = 4000;  // a master request waits this long for the ladder's rungs
};

// [record]: every live session recorded into <data dir>/recordings (media/record).
struct Record {
  bool enabled = true;
  bool exportMp4 = true;              // the source rendition as download.mp4 after the end
  int64_t maxQueueBytes = 256 << 20;  // segments waiting for the disk; over it: not recorded
  int thumbnailIntervalSeconds = 10;  // how often the live thumbnail is copied
};

// [restream]: pushing the source tracks to external RTMP targets (media/restream).
struct Restream {
  int64_t maxQueueBytes = 8 << 20;  // per target; over it: drop to the next key frame
  int connectTimeoutSeconds = 5;
  int sendTimeoutSeconds = 5;
  int backoffInitialMs = 1000;
  int backoffMaxMs = 30000;
};

struct Data {
  std::string dir = "./data";
};

struct Sql {
  std::string url;  // default: sqlite://<data dir>/hub.db
  int poolSize = 8;
  int workers = 4;  // threads running blocking SQL work
};

struct Bus {
  std::string url = "memory://";
};

struct Auth {
  std::string secret;  // default: generated into the data dir on one machine
};

struct Admin {
  std::string token;  // bearer token for /api/v1 admin routes; empty: admin API refused
};

// Chat service ([chat]); see docs/chat-protocol.md for what each limit means to a client.
struct Chat {
  std::vector<std::string> origins;  // WebSocket Origin allowlist; empty: the public URL's origin
  int maxConnectionsPerIp = 64;
  int64_t queueBytes = 1 << 20;  // outgoing bytes queued per connection before close 4008
  int helloTimeoutSeconds = 10;
  int history = 100;     // messages kept per room for `join since`
  int joinHistory = 50;  // messages sent on a join without `since`; 0: none
  // -1 (auto): a room's event waits as chat/room/coalesce_window.h says, at most coalesceMaxMs,
  // to leave with the next ones in one write; 0: at once; N: every event may wait N ms.
  int coalesceMs = -1;
  int coalesceMaxMs = 60;
  int coalesceMinMembers = 64;
  int maxTextCodePoints = 200;
  int rateBurst = 5;             // messages a user may send at once
  int ratePerMinute = 60;        // then this many per minute
  int likesPerSecond = 20;       // counted per connection, above it ignored
  int likesIntervalMs = 250;     // one likes event per room per interval at most
  int viewersIntervalMs = 3000;  // viewers events per room when changed
  int guestTokenTtlSeconds = 86400;
  int guestTokensPerMinute = 10;  // POST /api/v1/chat/token per client address
  std::string wordsBlock;         // files of words (one per line) that block a message
  std::string wordsMask;          // files of words that are masked with *
};

// CMS service ([cms]): sessions, sign-in limits; see docs/cms.md.
struct Cms {
  int sessionIdleSeconds = 7200;       // a session unused this long expires
  int sessionLifetimeSeconds = 43200;  // and every session after this long, used or not
  int loginPerIpPerMinute = 20;        // POST /api/v1/auth/login per client address
  int loginPerUserPerMinute = 5;       // and per username
  int memberTokenTtlSeconds = 3600;    // chat member tokens from POST /api/v1/chat/member-token
  // Argon2id cost of new password hashes; the defaults are libsodium's INTERACTIVE limits.
  int passwordHashOps = 2;                     // crypto_pwhash opslimit, >= 1 (libsodium's MIN)
  std::int64_t passwordHashMemoryKib = 65536;  // memlimit in KiB, >= 8 (libsodium's MIN: 8 KiB)
  int livePollSeconds = 30;  // live events ask media for their streams' state this often; 0 = never
  // Walking challenges (cms/challenge, docs/challenges.md).
  int challengeAppPerMinute = 600000;                // step submissions per app credential per minute
  int challengeLinkMaxSeconds = 2592000;             // members' signed links live at most this long
  std::string challengeRanking;                      // "": follow [bus] url; "memory"; "redis://..."
  std::string challengeRankingPrefix = "hub:rank:";  // Redis key prefix of the boards
};

struct Log {
  std::string level = "info";
  std::string format = "text";                 // text | json
  std::map<std::string, std::string> modules;  // "media.rtmp" -> "debug"
};

// CMS content ([cms_content]): accounts' credentials at rest; see docs/cms.md.
struct CmsContent {
  std::string credentialsKey;  // 64 hex digits; empty: generated into <data dir>/cms_credentials.key
};

// CMS media library uploads ([cms_upload]): largest file per kind, in bytes.
struct CmsUpload {
  int64_t maxImageBytes = int64_t{20} << 20;
  int64_t maxVideoBytes = int64_t{4} << 30;
  int64_t maxAudioBytes = int64_t{200} << 20;
};

// [cms_schedule]: the CMS scheduler, its outbox and the publishing connectors (cms/schedule,
// cms/connectors).
struct CmsSchedule {
  bool enabled = true;  // run the scheduler on this node
  bool dryRun = false;  // connectors record what they would send, send nothing
  int tickMs = 250;     // how often due posts are looked for
  int batch = 200;      // posts claimed per round
  int senders = 16;     // posts being sent at once
  int maxAttempts = 5;  // sends per post before it fails
  int backoffBaseMs = 2000;
  int backoffMaxMs = 300000;
  int leaseSeconds = 120;          // a send not finished by then counts as interrupted
  int reconcileDelayMs = 5000;     // first lookup after an unknown outcome
  int reconcileGraceSeconds = 30;  // "not found" by lookup counts only this long after the send
  int connectTimeoutMs = 3000;
  int requestTimeoutMs = 10000;
  std::string wechatBaseUrl = "https://api.weixin.qq.com";
  std::string weiboBaseUrl = "https://api.weibo.com";
  std::string douyinBaseUrl = "https://open.douyin.com";
  int wechatTokenMarginSeconds = 300;
  int wechatStatusPolls = 3;
  int wechatPollIntervalMs = 1000;
  int calendarMaxDays = 92;
  int maxPostsPerRequest = 400;
};

struct Config {
  Http http;
  Rtmp rtmp;
  Transcode transcode;
  Media media;
  Hls hls;
  Record record;
  Restream restream;
  Data data;
  Sql sql;
  Bus bus;
  Auth auth;
  Admin admin;
  Chat chat;
  Cms cms;
  CmsSchedule cmsSchedule;
  Log log;
  CmsContent cmsContent;
  CmsUpload cmsUpload;
  std::string source;  // the file it was read from, if any, for messages
};

// Where each layer comes from; tests pass their own.
struct Sources {
  std::string file;                                        // empty: no file
  std::map<std::string, std::string> env;                  // HUB_* variables
  std::vector<std::pair<std::string, std::string>> flags;  // ("http-listen", "127.0.0.1:0")
};

// Builds the configuration; an error names the key and what is wrong (the app exits 2).
Result<Config> load(const Sources& sources);

// The HUB_* variables of this process's environment.
std::map<std::string, std::string> processEnv();

// Every key as "section.key" with its default and a one-line description (for --help).
struct KeyInfo {
  std::string name, env, flag, help;
};
std::vector<KeyInfo> keys();

}  // namespace hub::config
