// core/http/lws_request.cpp
//
// lws keeps known headers in a token table and the rest as "custom" headers that cannot be
// listed in 4.1, hence ServerOptions::extraHeaders. Query fragments arrive url-decoded from
// lws, one "name=value" per fragment.
#include "core/http/lws_request.h"

#include <charconv>
#include <cstring>
#include <utility>
#include <vector>

namespace hub::http {

Method lwsMethod(lws* wsi) {
  struct Pair {
    lws_token_indexes token;
    Method method;
  };
  static constexpr Pair kMethods[] = {
      {WSI_TOKEN_GET_URI, Method::Get},         {WSI_TOKEN_POST_URI, Method::Post},
      {WSI_TOKEN_HEAD_URI, Method::Head},       {WSI_TOKEN_PUT_URI, Method::Put},
      {WSI_TOKEN_PATCH_URI, Method::Patch},     {WSI_TOKEN_DELETE_URI, Method::Delete},
      {WSI_TOKEN_OPTIONS_URI, Method::Options},
  };
  for (const auto& p : kMethods)
    if (lws_hdr_total_length(wsi, p.token) > 0) return p.method;
  return Method::Other;
}

std::string lwsHeader(lws* wsi, lws_token_indexes token) {
  int len = lws_hdr_total_length(wsi, token);
  if (len <= 0) return {};
  std::string v(static_cast<std::size_t>(len) + 1, '\0');
  int n = lws_hdr_copy(wsi, v.data(), len + 1, token);
  v.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  return v;
}

std::string lwsPeer(lws* wsi) {
  char buf[64] = {};
  lws_get_peer_simple(wsi, buf, sizeof buf - 1);
  return buf;
}

std::optional<std::uint64_t> lwsContentLength(lws* wsi) {
  auto v = lwsHeader(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
  if (v.empty()) return 0;
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  return n;
}

namespace {

// The tokens that are request headers, with their names: found once, not per request.
const std::vector<std::pair<lws_token_indexes, std::string>>& headerTokens() {
  static const auto tokens = [] {
    std::vector<std::pair<lws_token_indexes, std::string>> out;
    for (int t = 0; t < WSI_TOKEN_COUNT; ++t) {
      auto token = static_cast<lws_token_indexes>(t);
      if (t == WSI_TOKEN_HTTP_URI_ARGS) continue;
      const auto* name = reinterpret_cast<const char*>(lws_token_to_string(token));
      if (!name) continue;
      std::size_t n = std::strlen(name);
      // Header tokens read "host:"; methods ("get "), versions and h2 pseudo-headers do not.
      if (n < 2 || name[n - 1] != ':' || name[0] == ':') continue;
      out.emplace_back(token, std::string(name, n - 1));
    }
    return out;
  }();
  return tokens;
}

}  // namespace

void lwsReadRequest(lws* wsi, Method method, std::string path, std::string peer,
                    const std::vector<std::string>& extraHeaders, Request& out) {
  out.method = method;
  out.path = std::move(path);
  out.peer = std::move(peer);
  out.headers.clear();
  for (const auto& [token, name] : headerTokens()) {
    if (lws_hdr_total_length(wsi, token) <= 0) continue;
    out.headers.emplace_back(name, lwsHeader(wsi, token));
  }
  for (const auto& h : extraHeaders) {
    std::string key = h + ":";
    int len = lws_hdr_custom_length(wsi, key.c_str(), static_cast<int>(key.size()));
    if (len <= 0) continue;
    std::string v(static_cast<std::size_t>(len) + 1, '\0');
    int got = lws_hdr_custom_copy(wsi, v.data(), len + 1, key.c_str(), static_cast<int>(key.size()));
    v.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    out.headers.emplace_back(h, std::move(v));
  }
  out.query.clear();
  char frag[2048];
  for (int i = 0;; ++i) {
    int n = lws_hdr_copy_fragment(wsi, frag, sizeof frag, WSI_TOKEN_HTTP_URI_ARGS, i);
    if (n < 0) break;
    std::string_view f(frag, static_cast<std::size_t>(n));
    if (f.empty()) continue;
    auto eq = f.find('=');
    if (eq == std::string_view::npos)
      out.query.emplace_back(std::string(f), std::string());
    else
      out.query.emplace_back(std::string(f.substr(0, eq)), std::string(f.substr(eq + 1)));
  }
}

}  // namespace hub::http
