// core/http/http_util.cpp
//
// Hand-written, allocation-light parsers: these run on every static-file request.
#include "core/http/http_util.h"

#include "core/util/strings.h"

#include <charconv>
#include <cstring>

namespace hub::http {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) { return trimSpace(s); }

std::optional<std::uint64_t> parseU64(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string toLower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string urlDecode(std::string_view s, bool plusIsSpace) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plusIsSpace && c == '+' ? ' ' : c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(urlDecode(part), std::string());
    else
      out.emplace_back(urlDecode(part.substr(0, eq)), urlDecode(part.substr(eq + 1)));
  }
  return out;
}

std::string httpDate(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  // strftime's %a/%b follow the C locale, which a server process never changes.
  return buf;
}

std::optional<std::time_t> parseHttpDate(std::string_view s) {
  // Only IMF-fixdate: what every current client sends back from our Last-Modified.
  s = trim(s);
  if (s.size() != 29 || s.substr(25) != " GMT") return std::nullopt;
  std::tm tm{};
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    auto v = parseU64(s.substr(pos, len));
    return v ? static_cast<int>(*v) : -1;
  };
  tm.tm_mday = num(5, 2);
  tm.tm_mon = -1;
  for (int m = 0; m < 12; ++m)
    if (s.substr(8, 3) == kMonths[m]) tm.tm_mon = m;
  tm.tm_year = num(12, 4) - 1900;
  tm.tm_hour = num(17, 2);
  tm.tm_min = num(20, 2);
  tm.tm_sec = num(23, 2);
  if (tm.tm_mday < 1 || tm.tm_mon < 0 || tm.tm_year < 70 || tm.tm_hour < 0 || tm.tm_min < 0 || tm.tm_sec < 0)
    return std::nullopt;
  return ::timegm(&tm);
}

RangeResult parseRange(std::string_view header, std::uint64_t size) {
  header = trim(header);
  if (header.size() < 6 || !iequals(header.substr(0, 6), "bytes=")) return {};
  auto spec = trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return {};  // several ranges: send it all
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return {};
  auto a = trim(spec.substr(0, dash)), b = trim(spec.substr(dash + 1));
  RangeResult r;
  if (a.empty()) {  // suffix: the last N bytes
    auto n = parseU64(b);
    if (!n) return {};
    if (*n == 0 || size == 0) return {RangeKind::Unsatisfiable, {}};
    std::uint64_t len = *n < size ? *n : size;
    return {RangeKind::Satisfiable, {size - len, size - 1}};
  }
  auto first = parseU64(a);
  if (!first) return {};
  std::uint64_t last = size ? size - 1 : 0;
  if (!b.empty()) {
    auto l = parseU64(b);
    if (!l || *l < *first) return {};  // invalid syntax: ignore the header
    if (*l < last) last = *l;
  }
  if (*first >= size) return {RangeKind::Unsatisfiable, {}};
  r.kind = RangeKind::Satisfiable;
  r.range = {*first, last};
  return r;
}

bool etagMatches(std::string_view ifNoneMatch, std::string_view etag) {
  auto strip = [](std::string_view t) {
    t = trim(t);
    if (t.size() >= 2 && t.substr(0, 2) == "W/") t.remove_prefix(2);
    return t;
  };
  auto ours = strip(etag);
  while (!ifNoneMatch.empty()) {
    auto comma = ifNoneMatch.find(',');
    auto item = trim(ifNoneMatch.substr(0, comma));
    ifNoneMatch = comma == std::string_view::npos ? std::string_view() : ifNoneMatch.substr(comma + 1);
    if (item == "*") return true;
    if (strip(item) == ours) return true;
  }
  return false;
}

bool acceptsEncoding(std::string_view acceptEncoding, std::string_view coding) {
  bool star = false;
  while (!acceptEncoding.empty()) {
    auto comma = acceptEncoding.find(',');
    auto item = trim(acceptEncoding.substr(0, comma));
    acceptEncoding = comma == std::string_view::npos ? std::string_view() : acceptEncoding.substr(comma + 1);
    auto semi = item.find(';');
    auto name = trim(item.substr(0, semi));
    bool zero = false;
    if (semi != std::string_view::npos) {
      auto params = trim(item.substr(semi + 1));
      if (params.size() >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=') {
        auto q = trim(params.substr(2));
        zero = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    if (iequals(name, coding)) return !zero;
    if (name == "*" && !zero) star = true;
  }
  return star;
}

}  // namespace hub::http
