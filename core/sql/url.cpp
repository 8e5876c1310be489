// core/sql/url.cpp
//
// URL parsing by hand: the grammar is tiny, and the password must never reach an error
// message, which rules out echoing the input back when something is wrong.
#include "core/sql/url.h"

#include <charconv>

#include "core/sql/errors.h"

namespace hub::sql {
namespace {

constexpr std::string_view kSqlite = "sqlite://";
constexpr std::string_view kMysql = "mysql://";

Error urlError(std::string_view url, std::string_view why) {
  return makeError(errc::kUrl, "database url " + redactUrl(url) + ": " + std::string(why));
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = hexDigit(in[i + 1]), lo = hexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

std::string percentEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '_' || c == '.' || c == '~';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The userinfo ends at the LAST '@': hosts never contain one, unencoded passwords might.
Result<Url> parseMysql(std::string_view url) {
  Url out;
  out.scheme = Url::Scheme::Mysql;
  std::string_view rest = url.substr(kMysql.size());
  std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    std::string_view user = userinfo.substr(0, colon);
    if (!percentDecode(user, out.user)) return urlError(url, "bad percent-encoding in user");
    if (colon != std::string_view::npos && !percentDecode(userinfo.substr(colon + 1), out.password))
      return urlError(url, "bad percent-encoding in password");
  }
  std::size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  if (slash != std::string_view::npos) out.database = std::string(rest.substr(slash + 1));
  if (out.database.find_first_of("/?#") != std::string::npos)
    return urlError(url, "database name must not contain '/', '?' or '#'");

  std::size_t portColon = std::string_view::npos;
  if (!hostport.empty() && hostport.front() == '[') {  // [::1]:3306
    std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return urlError(url, "unclosed '[' in host");
    out.host = std::string(hostport.substr(1, close - 1));
    if (close + 1 < hostport.size()) {
      if (hostport[close + 1] != ':') return urlError(url, "junk after ']'");
      portColon = close + 1;
    }
  } else {
    portColon = hostport.rfind(':');
    out.host = std::string(hostport.substr(0, portColon));
  }
  if (out.host.empty()) return urlError(url, "missing host");
  if (portColon != std::string_view::npos) {
    std::string_view p = hostport.substr(portColon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (p.empty() || ec != std::errc() || end != p.data() + p.size() || port < 1 || port > 65535)
      return urlError(url, "bad port");
    out.port = port;
  }
  return out;
}

}  // namespace

Result<Url> parseUrl(std::string_view url) {
  if (url.starts_with(kSqlite)) {
    Url out;
    out.scheme = Url::Scheme::Sqlite;
    out.path = std::string(url.substr(kSqlite.size()));
    if (out.path.empty()) return urlError(url, "missing file path");
    return out;
  }
  if (url.starts_with(kMysql)) return parseMysql(url);
  return urlError(url, "scheme must be sqlite:// or mysql://");
}

std::string redactUrl(std::string_view url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  std::size_t start = scheme + 3;
  std::size_t at = url.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(url);
  std::size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

std::string formatUrl(const Url& url) {
  if (url.scheme == Url::Scheme::Sqlite) return std::string(kSqlite) + url.path;
  std::string out(kMysql);
  if (!url.user.empty() || !url.password.empty()) {
    out += percentEncode(url.user);
    if (!url.password.empty()) out += ':' + percentEncode(url.password);
    out += '@';
  }
  out += url.host.find(':') != std::string::npos ? '[' + url.host + ']' : url.host;
  out += ':' + std::to_string(url.port) + '/' + url.database;
  return out;
}

}  // namespace hub::sql
