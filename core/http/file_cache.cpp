// core/http/file_cache.cpp
//
// Misses canonicalise with realpath() and read small files whole; the cache is bounded by a
// byte budget (files past it are streamed from disk instead) and an entry count.
#include "core/http/file_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "core/http/http_util.h"

namespace hub::http {

namespace {

constexpr std::size_t kMaxEntries = 20000;

std::int64_t mtimeNs(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

bool readWhole(const std::string& path, std::uint64_t size, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out.resize(size);
  std::size_t got = 0;
  while (got < size) {
    auto n = ::read(fd, out.data() + got, size - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return got == size;
}

}  // namespace

Result<std::shared_ptr<const FileInfo>> FileCache::get(const std::string& path,
                                                       const std::string& canonicalRoot) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return makeError("http.not_found", "no such file");
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(path);
    if (it != entries_.end()) {
      const auto& e = *it->second;
      if (e.dev == st.st_dev && e.ino == st.st_ino && e.size == static_cast<std::uint64_t>(st.st_size) &&
          e.mtimeNs == mtimeNs(st))
        return it->second;
    }
  }
  // A miss, or the file changed: check where it really is before trusting it.
  char real[PATH_MAX];
  if (!::realpath(path.c_str(), real)) return makeError("http.not_found", "no such file");
  std::string_view r(real);
  if (r.size() <= canonicalRoot.size() || r.substr(0, canonicalRoot.size()) != canonicalRoot ||
      r[canonicalRoot.size()] != '/')
    return makeError("http.forbidden", "file resolves outside the mount");

  auto info = std::make_shared<FileInfo>();
  info->path = path;
  info->dev = st.st_dev;
  info->ino = st.st_ino;
  info->size = static_cast<std::uint64_t>(st.st_size);
  info->mtimeNs = mtimeNs(st);
  info->mtime = st.st_mtim.tv_sec;
  char etag[64];
  std::snprintf(etag, sizeof etag, "\"%llx-%llx\"", static_cast<unsigned long long>(info->size),
                static_cast<unsigned long long>(info->mtimeNs));
  info->etag = etag;
  info->lastModified = httpDate(info->mtime);

  std::shared_ptr<std::string> content;
  if (info->size <= maxFileBytes_) {  // read outside the lock: other threads keep serving
    content = std::make_shared<std::string>();
    if (!readWhole(path, info->size, *content)) content.reset();
  }
  std::lock_guard lock(mu_);
  if (content && bytes_ + content->size() <= maxBytes_) info->content = std::move(content);
  if (entries_.size() >= kMaxEntries) {
    entries_.clear();
    bytes_ = 0;
  }
  auto& slot = entries_[path];
  if (slot && slot->content) bytes_ -= slot->content->size();
  if (info->content) bytes_ += info->content->size();
  slot = info;
  return std::shared_ptr<const FileInfo>(std::move(info));
}

}  // namespace hub::http
