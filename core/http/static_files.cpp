// core/http/static_files.cpp
//
// Request -> file -> variant (br/gz/identity) -> conditional (304) -> range (206/416) -> body.
// Validators are per variant, so a cache never mixes a gzip body with an identity ETag.
#include "core/http/static_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <climits>
#include <cstdlib>

#include "core/http/http_util.h"
#include "core/http/mime.h"

namespace hub::http {

namespace {

// Every segment must be a plain name: no "..", ".", hidden files, NUL or backslash. lws already
// decodes and normalises the path; this is the second lock on the door.
bool safeRelative(std::string_view rel) {
  if (rel.find('\0') != std::string_view::npos || rel.find('\\') != std::string_view::npos) return false;
  while (!rel.empty()) {
    auto slash = rel.find('/');
    auto seg = rel.substr(0, slash);
    if (!seg.empty() && seg.front() == '.') return false;
    rel = slash == std::string_view::npos ? std::string_view() : rel.substr(slash + 1);
  }
  return true;
}

}  // namespace

Status StaticFiles::mount(std::string_view urlPrefix, const std::string& dir, StaticOptions options) {
  char real[PATH_MAX];
  struct stat st {};
  if (!::realpath(dir.c_str(), real) || ::stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
    return makeError("http.mount",
                     "static mount " + std::string(urlPrefix) + ": " + dir + " is not a directory");
  std::string prefix(urlPrefix);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  std::string root(real);
  if (root == "/") root.clear();  // so root + "/" + rel stays well formed
  mounts_.push_back(Mount{std::move(prefix), std::move(root), std::move(options)});
  return {};
}

const StaticFiles::Mount* StaticFiles::find(std::string_view path) const {
  const Mount* best = nullptr;
  for (const auto& m : mounts_) {
    if (path.size() < m.prefix.size() || path.substr(0, m.prefix.size()) != m.prefix) continue;
    if (path.size() > m.prefix.size() && path[m.prefix.size()] != '/') continue;
    if (!best || m.prefix.size() > best->prefix.size()) best = &m;
  }
  return best;
}

Response StaticFiles::serve(const Mount& m, const StaticRequest& req) {
  if (req.method == Method::Options) {
    Response r = Response::noContent(204);
    r.header("allow", "GET, HEAD, OPTIONS");
    if (m.options.cors && !m.options.cors->allowOriginFor(req.origin).empty()) {
      if (m.options.cors) m.options.cors->addHeaders(r, req.origin);
      r.header("access-control-allow-methods", "GET, HEAD, OPTIONS");
      r.header("access-control-allow-headers", m.options.cors->allowHeaders);
      r.header("access-control-max-age", std::to_string(m.options.cors->maxAgeSeconds));
    }
    return r;
  }
  if (req.method != Method::Get && req.method != Method::Head)
    return Response::error(405, "method_not_allowed", "static files are read-only")
        .header("allow", "GET, HEAD, OPTIONS");
  auto rel = req.path.substr(m.prefix.size());
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (!safeRelative(rel)) return Response::error(404, "not_found", "no such file");
  std::string path = m.root + "/" + std::string(rel);
  struct stat st {};
  if (rel.empty() || (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
    if (!req.path.empty() && req.path.back() != '/') {
      // Relative links inside an index page need the slash.
      Response r = Response::noContent(301);
      r.header("location", std::string(req.path) + "/");
      return r;
    }
    if (!path.empty() && path.back() != '/') path += '/';
    path += m.options.indexFile;
  } else if (!m.options.pageFallback.empty() && ::stat(path.c_str(), &st) != 0) {
    const auto slash = rel.rfind('/');
    const auto last = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
    if (last.find('.') == std::string_view::npos) path = m.root + "/" + m.options.pageFallback;
  }
  Response r = serveFile(m, req, path);
  if (m.options.cors) m.options.cors->addHeaders(r, req.origin);
  return r;
}

Response StaticFiles::serveFile(const Mount& m, const StaticRequest& req, const std::string& path) {
  auto identity = cache_.get(path, m.root);
  if (!identity) return Response::error(404, "not_found", "no such file");
  auto info = *identity;
  std::string_view encoding;
  bool hasVariants = false;
  // Ranges apply to the identity bytes only: keep it simple for players seeking in media.
  if (m.options.precompressed) {
    for (auto [ext, coding] : {std::pair{".br", "br"}, std::pair{".gz", "gzip"}}) {
      auto v = cache_.get(path + ext, m.root);
      if (!v) continue;
      hasVariants = true;
      if (encoding.empty() && req.range.empty() && acceptsEncoding(req.acceptEncoding, coding)) {
        info = *v;
        encoding = coding;
      }
    }
  }
  Response r;
  r.headers.reserve(8);
  r.header("content-type", std::string(mimeType(path)));
  r.header("etag", info->etag);
  r.header("last-modified", info->lastModified);
  r.header("accept-ranges", "bytes");
  if (hasVariants) r.header("vary", "accept-encoding");
  if (!encoding.empty()) r.header("content-encoding", std::string(encoding));
  if (!m.options.cacheControl.empty()) r.header("cache-control", m.options.cacheControl);

  bool notModified = false;
  if (!req.ifNoneMatch.empty()) {
    notModified = etagMatches(req.ifNoneMatch, info->etag);
  } else if (!req.ifModifiedSince.empty()) {
    auto since = parseHttpDate(req.ifModifiedSince);
    notModified = since && info->mtime <= *since;
  }
  if (notModified) {
    r.status = 304;
    r.omitContentLength = true;
    return r;
  }

  std::uint64_t first = 0, length = info->size;
  bool rangeApplies = !req.range.empty();
  if (rangeApplies && !req.ifRange.empty()) {
    // If-Range holds an ETag or a date; on mismatch the whole (changed) file is sent.
    rangeApplies = req.ifRange.front() == '"' ? req.ifRange == info->etag : req.ifRange == info->lastModified;
  }
  if (rangeApplies) {
    auto range = parseRange(req.range, info->size);
    if (range.kind == RangeKind::Unsatisfiable) {
      Response bad = Response::error(416, "range_not_satisfiable", "range outside the file");
      bad.header("content-range", "bytes */" + std::to_string(info->size));
      return bad;
    }
    if (range.kind == RangeKind::Satisfiable) {
      first = range.range.first;
      length = range.range.last - range.range.first + 1;
      r.status = 206;
      r.header("content-range", "bytes " + std::to_string(first) + "-" + std::to_string(range.range.last) +
                                    "/" + std::to_string(info->size));
    }
  }
  r.offset = first;
  r.length = length;
  if (info->content) {
    r.shared = info->content;
  } else {
    int fd = ::open(info->path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Response::error(404, "not_found", "no such file");
    r.file = std::make_shared<FileBody>(fd);
  }
  return r;
}

}  // namespace hub::http
