// app/web_app.cpp
//
// The web app's mounts and its single-page fallback routes (see web_app.h).
#include "app/web_app.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <system_error>
#include <vector>

namespace hub::app {
namespace {

namespace fs = std::filesystem;

bool hasIndex(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "index.html", ec);
}

fs::path executableDir() {
  std::error_code ec;
  auto self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

// <binary dir>/<besideBinary>, else `built` (the source tree's build), whichever holds an
// index.html; "" when neither does.
std::string firstBuilt(const char* besideBinary, const char* built) {
  std::vector<fs::path> candidates;
  if (auto dir = executableDir(); !dir.empty()) candidates.push_back(dir / besideBinary);
  if (*built) candidates.emplace_back(built);
  for (const auto& c : candidates)
    if (hasIndex(c)) return c.string();
  return std::string();
}

#ifndef HUB_WEB_DIST_DIR
#define HUB_WEB_DIST_DIR ""
#endif
#ifndef HUB_STUDIO_DIST_DIR
#define HUB_STUDIO_DIST_DIR ""
#endif

}  // namespace

Result<std::string> findWebRoot(const std::string& configured) {
  if (!configured.empty()) {
    if (!hasIndex(configured))
      return makeError("config.invalid", "key http.web_root: " + configured +
                                             " has no index.html (build the web app: deploy/build-web.sh)");
    return configured;
  }
  return firstBuilt("player-web", HUB_WEB_DIST_DIR);
}

std::string findStudioRoot() { return firstBuilt("studio", HUB_STUDIO_DIST_DIR); }

// index.html, read again when the file changes (a rebuild while the hub runs): one stat per
// page view, like the static mount's own cache.
class IndexFile {
 public:
  explicit IndexFile(std::string path) : path_(std::move(path)) {}

  std::shared_ptr<const std::string> get() {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return nullptr;
    std::lock_guard lock(mu_);
    if (!body_ || st.st_mtim.tv_sec != mtime_.tv_sec || st.st_mtim.tv_nsec != mtime_.tv_nsec ||
        static_cast<std::size_t>(st.st_size) != body_->size()) {
      std::ifstream in(path_, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return body_;
      body_ = std::make_shared<const std::string>(text.str());
      mtime_ = st.st_mtim;
    }
    return body_;
  }

 private:
  const std::string path_;
  std::mutex mu_;
  timespec mtime_{};
  std::shared_ptr<const std::string> body_;
};

Status addWebApp(http::Server& server, const std::string& dir) {
  auto index = std::make_shared<IndexFile>(dir + "/index.html");
  if (!index->get()) return makeError("http.mount", "web app: cannot read " + dir + "/index.html");

  // Vite names assets by content hash: they never change under a name.
  std::error_code ec;
  if (fs::is_directory(fs::path(dir) / "assets", ec)) {
    http::StaticOptions assets;
    assets.cacheControl = "public, max-age=31536000, immutable";
    if (auto st = server.mountStatic("/assets", dir + "/assets", assets); !st) return st;
  }
  http::StaticOptions rest;
  rest.cacheControl = "no-cache";
  if (auto st = server.mountStatic("", dir, rest); !st) return st;

  // The app's pages are one document; it reads the path itself.
  auto page = [index](const http::Request&) {
    auto body = index->get();
    if (!body) return http::Response::error(404, "not_found", "the web app is not built");
    http::Response r(200, std::string(), "text/html; charset=utf-8");
    r.shared = body;
    r.length = body->size();
    return r.header("Cache-Control", "no-cache");
  };
  server.get("/", page);
  server.get("/watch/*", page);
  server.get("/replay/*", page);
  server.get("/challenge/*", page);
  return {};
}

Status addStudio(http::Server& server, const std::string& dir) {
  if (!hasIndex(dir)) return makeError("http.mount", "studio: no index.html in " + dir);
  std::error_code ec;
  if (fs::is_directory(fs::path(dir) / "assets", ec)) {
    http::StaticOptions assets;
    assets.cacheControl = "public, max-age=31536000, immutable";
    if (auto st = server.mountStatic("/studio/assets", dir + "/assets", assets); !st) return st;
  }
  http::StaticOptions pages;
  pages.cacheControl = "no-cache";
  pages.pageFallback = "index.html";
  return server.mountStatic("/studio", dir, pages);
}

}  // namespace hub::app
