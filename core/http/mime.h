// core/http/mime.h
//
// Content-Type for a file name, by extension. Unknown extensions are application/octet-stream
// so browsers never sniff an uploaded file into HTML.
#pragma once

#include <string_view>

namespace hub::http {

std::string_view mimeType(std::string_view fileName);

}  // namespace hub::http
