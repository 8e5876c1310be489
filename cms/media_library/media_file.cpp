// cms/media_library/media_file.cpp
#include "cms/media_library/media_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

namespace hub::cms::media_library {

std::string mediaDir(const std::string& dataDir) { return dataDir + "/cms_media"; }

std::string mediaFilePath(const std::string& dataDir, std::int64_t id) {
  return mediaDir(dataDir) + "/" + std::to_string(id);
}

std::optional<http::Response> mediaFileResponse(const std::string& path, const std::string& mime,
                                                const std::string& cacheControl) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  http::Response r;
  r.status = 200;
  r.file = std::make_shared<http::FileBody>(fd);
  r.offset = 0;
  r.length = static_cast<std::uint64_t>(st.st_size);
  r.header("Content-Type", mime);
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Content-Disposition", "inline");
  r.header("Cache-Control", cacheControl);
  return r;
}

}  // namespace hub::cms::media_library
