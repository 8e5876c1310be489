// cms/connectors/http_outcome.h
//
// How an HTTP exchange maps to a publishing outcome when a platform's own error codes do not
// say more: refused before sending -> Retryable; timeout or reset after connecting -> Unknown;
// 2xx -> Posted; 429/502/503 (the server says it did not take it) -> Retryable; 408/500/504
// (it may have) -> Unknown; other 4xx -> Permanent.
#pragma once

#include <string>

#include "cms/connectors/connector.h"
#include "cms/connectors/http_client.h"

namespace hub::cms::connectors {

// For a transport failure (response.ok() false).
PublishResult transportOutcome(const HttpResponse& response);
// For a completed exchange, by status alone.
Outcome statusOutcome(int status);
PublishResult statusResult(const HttpResponse& response);
// Parses a JSON body; a discarded/empty object when it is not JSON.
Json parseBody(const std::string& body);
// The string form of a JSON id that platforms send as a number or a string.
std::string idText(const Json& v);

}  // namespace hub::cms::connectors
