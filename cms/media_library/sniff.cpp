// cms/media_library/sniff.cpp
//
// Magic numbers, checked on the raw bytes.
#include "cms/media_library/sniff.h"

#include <array>
#include <cctype>
#include <string>

namespace hub::cms::media_library {
namespace {

std::uint8_t byte(std::string_view s, std::size_t i) { return static_cast<std::uint8_t>(s[i]); }

}  // namespace

std::optional<SniffedType> sniff(std::string_view h) {
  if (h.size() >= 3 && byte(h, 0) == 0xFF && byte(h, 1) == 0xD8 && byte(h, 2) == 0xFF)
    return SniffedType{"image/jpeg", "jpg", MediaKind::Image};
  if (h.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8))
    return SniffedType{"image/png", "png", MediaKind::Image};
  if (h.substr(0, 6) == "GIF87a" || h.substr(0, 6) == "GIF89a")
    return SniffedType{"image/gif", "gif", MediaKind::Image};
  if (h.size() >= 12 && h.substr(0, 4) == "RIFF" && h.substr(8, 4) == "WEBP")
    return SniffedType{"image/webp", "webp", MediaKind::Image};
  if (h.size() >= 12 && h.substr(4, 4) == "ftyp") {
    const std::string_view brand = h.substr(8, 4);
    // QuickTime ("qt  ") and HEIF images ("heic", "mif1") share the box but are not MP4 video
    static constexpr std::array<std::string_view, 9> kMp4{"isom", "iso2", "iso4", "iso5", "iso6",
                                                          "mp41", "mp42", "avc1", "dash"};
    for (auto b : kMp4)
      if (brand == b) return SniffedType{"video/mp4", "mp4", MediaKind::Video};
    return std::nullopt;
  }
  if (h.substr(0, 3) == "ID3") return SniffedType{"audio/mpeg", "mp3", MediaKind::Audio};
  // MPEG-1/2 Layer III frame sync: 11 set bits, a version other than "reserved", layer III
  if (h.size() >= 4 && byte(h, 0) == 0xFF && (byte(h, 1) & 0xE0) == 0xE0 && (byte(h, 1) & 0x18) != 0x08 &&
      (byte(h, 1) & 0x06) == 0x02 && (byte(h, 2) & 0xF0) != 0xF0)
    return SniffedType{"audio/mpeg", "mp3", MediaKind::Audio};
  return std::nullopt;
}

std::optional<std::string_view> mimeForName(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string ext;
  for (char c : name.substr(dot + 1)) ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  if (ext == "mp4" || ext == "m4v") return "video/mp4";
  if (ext == "mp3") return "audio/mpeg";
  return std::nullopt;
}

std::string_view kindName(MediaKind k) {
  switch (k) {
    case MediaKind::Image:
      return "image";
    case MediaKind::Video:
      return "video";
    case MediaKind::Audio:
      return "audio";
  }
  return "image";
}

}  // namespace hub::cms::media_library
