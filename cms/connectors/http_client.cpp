// cms/connectors/http_client.cpp
//
// libcurl's easy interface, one handle per call (handles are cheap next to a platform's
// latency, and nothing is shared between threads). curl_global_init runs once, before the
// first handle, from whichever thread gets there first.
#include "cms/connectors/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <mutex>

#include "core/util/handle.h"

namespace hub::cms::connectors {
namespace {

void globalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

inline void freeEasy(CURL* c) { curl_easy_cleanup(c); }
inline void freeList(curl_slist* l) { curl_slist_free_all(l); }

class CurlHttpClient final : public HttpClient {
 public:
  explicit CurlHttpClient(HttpTimeouts t) : timeouts_(t) { globalInit(); }

  HttpResponse send(const HttpRequest& req) override {
    HttpResponse out;
    Handle<CURL, freeEasy> curl(curl_easy_init());
    if (!curl) {
      out.transport = HttpResponse::Transport::NotSent;
      out.error = "curl_easy_init failed";
      return out;
    }
    curl_slist* list = nullptr;
    for (const auto& [k, v] : req.headers) {
      std::string line = k + ": " + v;
      if (curl_slist* next = curl_slist_append(list, line.c_str())) list = next;
    }
    Handle<curl_slist, freeList> headers(list);
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts_.connect.count()));
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts_.total.count()));
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
    if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    if (req.method == "POST") {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, req.body.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(req.body.size()));
    } else if (req.method != "GET") {
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      out.transport = HttpResponse::Transport::Ok;
      out.status = static_cast<int>(status);
      return out;
    }
    out.error = curl_easy_strerror(rc);
    // Connected or not decides whether the server may have the request.
    curl_off_t connectUs = 0;
    curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connectUs);
    if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_CONNECT ||
        rc == CURLE_COULDNT_RESOLVE_PROXY || connectUs == 0)
      out.transport = HttpResponse::Transport::NotSent;
    else if (rc == CURLE_OPERATION_TIMEDOUT)
      out.transport = HttpResponse::Transport::Timeout;
    else
      out.transport = HttpResponse::Transport::Failed;
    return out;
  }

 private:
  HttpTimeouts timeouts_;
};

}  // namespace

std::unique_ptr<HttpClient> makeCurlClient(HttpTimeouts timeouts) {
  return std::make_unique<CurlHttpClient>(timeouts);
}

std::string urlEncode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += hex[ch >> 4];
      out += hex[ch & 15];
    }
  }
  return out;
}

}  // namespace hub::cms::connectors
