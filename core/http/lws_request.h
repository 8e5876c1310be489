// core/http/lws_request.h
//
// Copies what a handler needs out of an lws connection's header table: method, headers, query,
// peer. Only valid inside an lws callback on that connection's thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <libwebsockets.h>

#include "core/http/request.h"

namespace hub::http {

Method lwsMethod(lws* wsi);
// Empty when absent.
std::string lwsHeader(lws* wsi, lws_token_indexes token);
std::string lwsPeer(lws* wsi);
// nullopt when the header is present but not a number.
std::optional<std::uint64_t> lwsContentLength(lws* wsi);
// Fills everything but the body and the route parameters; `peer` is lwsPeer(wsi), which a
// connection reads once (a getpeername call).
void lwsReadRequest(lws* wsi, Method method, std::string path, std::string peer,
                    const std::vector<std::string>& extraHeaders, Request& out);

}  // namespace hub::http
