// cms/connectors/http_client.h
//
// The blocking HTTP client the connectors use, behind an interface so unit tests can answer
// for a platform without a socket. The one implementation (CurlHttpClient) wraps libcurl's
// easy interface, one handle per call. What matters to publishing is WHETHER the request may
// have reached the server: a refused or unresolved connection did not (safe to try again), a
// timeout or a reset after connecting may have (the outcome is unknown).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

namespace hub::cms::connectors {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::map<std::string, std::string> headers;
  std::string body;
};

struct HttpResponse {
  enum class Transport { Ok, NotSent, Timeout, Failed };
  Transport transport = Transport::Failed;
  int status = 0;
  std::string body;
  std::string error;  // curl's message for transport failures
  bool ok() const { return transport == Transport::Ok; }
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{3000};
  std::chrono::milliseconds total{10000};
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual HttpResponse send(const HttpRequest& request) = 0;
};

// libcurl, with the given timeouts; never follows redirects (a platform API does not move).
std::unique_ptr<HttpClient> makeCurlClient(HttpTimeouts timeouts);

// "a b&c" -> "a%20b%26c" (RFC 3986 unreserved kept).
std::string urlEncode(std::string_view s);

}  // namespace hub::cms::connectors
