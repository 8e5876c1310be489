// app/web_app.cpp
//
// The web app's mounts and its single-page fallback routes (see web_app.h).
#include "app/web_app.h"

#include <filesystem>
#include <fstream>
#include <memory>
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

}  // namespace

Result<std::string> findWebRoot(const std::string& configured) {
  if (!configured.empty()) {
    if (!hasIndex(configured))
      return makeError("config.invalid", "key http.web_root: " + configured +
                                             " has no index.html (build the web app: deploy/build-web.sh)");
    return configured;
  }
  std::vector<fs::path> candidates;
  if (auto dir = executableDir(); !dir.empty()) candidates.push_back(dir / "player-web");
#ifdef HUB_WEB_DIST_DIR
  candidates.emplace_back(HUB_WEB_DIST_DIR);
#endif
  for (const auto& c : candidates)
    if (hasIndex(c)) return c.string();
  return std::string();
}

Status addWebApp(http::Server& server, const std::string& dir) {
  std::ifstream in(fs::path(dir) / "index.html", std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  if (!in) return makeError("http.mount", "web app: cannot read " + dir + "/index.html");
  auto index = std::make_shared<const std::string>(body.str());

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
    http::Response r(200, std::string(), "text/html; charset=utf-8");
    r.shared = index;
    r.length = index->size();
    return r.header("Cache-Control", "no-cache");
  };
  server.get("/", page);
  server.get("/watch/*", page);
  server.get("/replay/*", page);
  return {};
}

}  // namespace hub::app
