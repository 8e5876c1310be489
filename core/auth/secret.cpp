#include "core/auth/secret.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <sodium.h>

namespace hub::auth {

Result<std::string> loadOrCreateSecret(const std::string& dataDir, const std::string& fileName) {
  std::string path = dataDir + "/" + fileName;
  if (std::ifstream in(path); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() >= 32) return secret;
    return makeError("auth.secret", path + ": shorter than 32 characters; delete it to make a new one");
  }
  if (sodium_init() < 0) return makeError("auth.secret", "libsodium failed to initialise");
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  if (ec) return makeError("auth.secret", dataDir + ": " + ec.message());
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  // O_EXCL: when two processes start at once, one writes and the other reads what it wrote.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return loadOrCreateSecret(dataDir, fileName);
    return makeError("auth.secret", path + ": " + std::strerror(errno));
  }
  std::string line = std::string(hex) + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return makeError("auth.secret", path + ": write failed");
  return std::string(hex);
}

}  // namespace hub::auth
