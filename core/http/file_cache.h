// core/http/file_cache.h
//
// What a static mount knows about one file: its canonical location checked against the mount
// root (symlinks out of the root are refused), validators (ETag, Last-Modified), and for small
// files the bytes themselves. An entry is reused while stat() reports the same inode, size and
// mtime, so a hit costs one stat and no open/read. Shared by every loop thread under one mutex
// held only for the lookup.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/util/result.h"

namespace hub::http {

struct FileInfo {
  std::string path;  // as opened (inside the root)
  dev_t dev = 0;
  ino_t ino = 0;
  std::uint64_t size = 0;
  std::int64_t mtimeNs = 0;
  std::time_t mtime = 0;
  std::string etag;                            // strong: "size-mtime" in hex
  std::string lastModified;                    // HTTP date
  std::shared_ptr<const std::string> content;  // null when too big to cache
};

class FileCache {
 public:
  FileCache(std::size_t maxBytes, std::size_t maxFileBytes)
      : maxBytes_(maxBytes), maxFileBytes_(maxFileBytes) {}

  // The file at `path` if it is a regular file whose canonical path lies under `canonicalRoot`
  // ("/srv/www", no trailing slash). Errors: "http.not_found", "http.forbidden".
  Result<std::shared_ptr<const FileInfo>> get(const std::string& path, const std::string& canonicalRoot);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const FileInfo>> entries_;
  std::size_t bytes_ = 0;
  std::size_t maxBytes_;
  std::size_t maxFileBytes_;
};

}  // namespace hub::http
