// core/http/mime.cpp
//
// A short table: the assets the player, the studio and the HLS packager actually serve.
#include "core/http/mime.h"

#include <array>
#include <utility>

#include "core/http/http_util.h"

namespace hub::http {

std::string_view mimeType(std::string_view fileName) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kTable{{
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff2", "font/woff2"},
      {"woff", "font/woff"},
      {"wasm", "application/wasm"},
      {"m3u8", "application/vnd.apple.mpegurl"},
      {"m4s", "video/iso.segment"},
      {"mp4", "video/mp4"},
      {"m4a", "audio/mp4"},
      {"ts", "video/mp2t"},
      {"txt", "text/plain; charset=utf-8"},
      {"xml", "application/xml"},
  }};
  auto dot = fileName.rfind('.');
  auto slash = fileName.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return "application/octet-stream";
  auto ext = fileName.substr(dot + 1);
  if (ext.size() > 8) return "application/octet-stream";
  char lower[8];
  for (std::size_t i = 0; i < ext.size(); ++i) {
    char c = ext[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view key(lower, ext.size());
  for (const auto& [e, type] : kTable)
    if (e == key) return type;
  return "application/octet-stream";
}

}  // namespace hub::http
