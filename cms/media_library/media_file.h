// cms/media_library/media_file.h
//
// Where a media-library file lives (<data dir>/cms_media/<id>) and the HTTP response that
// streams it (the sniffed type, nosniff, inline). Access is the caller's business: the library's
// own route checks the actor; the live events' public poster route checks the event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/http/response.h"

namespace hub::cms::media_library {

std::string mediaDir(const std::string& dataDir);
std::string mediaFilePath(const std::string& dataDir, std::int64_t id);

// nullopt when the file cannot be opened.
std::optional<http::Response> mediaFileResponse(const std::string& path, const std::string& mime,
                                                const std::string& cacheControl);

}  // namespace hub::cms::media_library
