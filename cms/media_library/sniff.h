// cms/media_library/sniff.h
//
// What a file really is, from its first bytes (never from its name or the client's word):
// JPEG, PNG, GIF, WebP, MP4 (ISO BMFF "ftyp", including MOV-free brands) and MP3 (ID3 tag or
// an MPEG audio frame header). Uploads whose bytes are none of these, or do not match the
// type their name claims, are refused.
#pragma once

#include <optional>
#include <string_view>

namespace hub::cms::media_library {

enum class MediaKind { Image, Video, Audio };

struct SniffedType {
  std::string_view mime;       // "image/jpeg"
  std::string_view extension;  // "jpg"
  MediaKind kind;
};

// Needs the first 16 bytes (fewer: nullopt unless the signature fits).
std::optional<SniffedType> sniff(std::string_view head);

// Mime type a file name's extension claims ("a.JPEG" -> "image/jpeg"), or nullopt.
std::optional<std::string_view> mimeForName(std::string_view name);

std::string_view kindName(MediaKind k);  // "image", "video", "audio"

}  // namespace hub::cms::media_library
