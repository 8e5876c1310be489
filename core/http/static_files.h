// core/http/static_files.h
//
// Static file mounts: URL prefix -> directory, with MIME types, ETag/Last-Modified validators and
// 304s, single byte ranges (206/416: Debian's lws has no range support), pre-compressed
// `file.br` / `file.gz` siblings chosen by Accept-Encoding, index.html for directories, HEAD,
// optional CORS, and an optional page fallback for single-page apps. Paths that climb out of the
// directory (.., encoded or by symlink) get 404.
// Knows nothing of lws: the server passes the few request headers it needs.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/http/file_cache.h"
#include "core/http/request.h"
#include "core/http/response.h"
#include "core/http/router.h"
#include "core/util/result.h"

namespace hub::http {

struct StaticOptions {
  std::optional<CorsOptions> cors;
  std::string cacheControl;  // e.g. "public, max-age=31536000, immutable"; empty: none
  std::string indexFile = "index.html";
  bool precompressed = true;  // look for .br / .gz siblings
  // A single-page app's document (e.g. "index.html"), served for a missing path whose last
  // segment has no dot (a page of the app, not a missing asset); empty: a missing path is a 404.
  std::string pageFallback;
  // Called on the loop thread after each GET answered with a file (200 or 206) below the mount,
  // with the path below the prefix, the client's address and its User-Agent (counting viewers
  // of recordings, say). Must be cheap and must not throw.
  std::function<void(std::string_view rel, std::string_view peer, std::string_view userAgent)> onServed;
};

struct StaticRequest {
  Method method = Method::Get;
  std::string_view path;
  std::string_view ifNoneMatch;
  std::string_view ifModifiedSince;
  std::string_view range;
  std::string_view ifRange;
  std::string_view acceptEncoding;
  std::string_view origin;
};

class StaticFiles {
 public:
  struct Mount {
    std::string prefix;  // "/static" (no trailing slash; "" for the root)
    std::string root;    // canonical directory, no trailing slash
    StaticOptions options;
  };

  explicit StaticFiles(std::size_t cacheBytes = 64 << 20, std::size_t maxCachedFile = 1 << 20)
      : cache_(cacheBytes, maxCachedFile) {}

  // Error "http.mount" when `dir` is not a directory.
  Status mount(std::string_view urlPrefix, const std::string& dir, StaticOptions options = {});

  // The mount with the longest prefix that contains `path`, or null.
  const Mount* find(std::string_view path) const;

  // Serves GET/HEAD/OPTIONS below `m`; other methods get 405.
  Response serve(const Mount& m, const StaticRequest& req);

  bool empty() const { return mounts_.empty(); }

 private:
  Response serveFile(const Mount& m, const StaticRequest& req, const std::string& path);

  std::vector<Mount> mounts_;
  FileCache cache_;
};

}  // namespace hub::http
