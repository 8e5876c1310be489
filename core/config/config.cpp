// core/config/config.cpp
//
// Loading the configuration: defaults, then the TOML file, the environment and the flags, each
// value validated by its key's setter (config_keys.cpp); then the values derived from others.
#include "core/config/config.h"

#include <algorithm>
#include <cstdlib>

#include <toml++/toml.h>

#include "core/config/config_keys.h"

extern char** environ;

namespace hub::config {
namespace {

using detail::bad;
using detail::Key;
using detail::parseBool;
using detail::parseInt;
using detail::splitList;
using detail::startsWith;
using detail::table;

std::string upper(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(ch == '-' ? '_' : std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

std::string envName(const Key& k) { return "HUB_" + upper(k.section) + "_" + upper(k.key); }

std::string flagName(const Key& k) {
  std::string f = k.section + "-" + k.key;
  for (auto& ch : f)
    if (ch == '_') ch = '-';
  return f;
}

const Key* findKey(std::string_view section, std::string_view key) {
  for (const auto& k : table())
    if (k.section == section && k.key == key) return &k;
  return nullptr;
}

// A TOML value as the same text an environment variable would carry, so one setter validates
// both; a table (log.modules) becomes "a=b,c=d", an array "a,b".
Result<std::string> tomlText(const toml::node& node, const std::string& name) {
  if (auto s = node.as_string()) return s->get();
  if (auto i = node.as_integer()) return std::to_string(i->get());
  if (auto b = node.as_boolean()) return std::string(b->get() ? "1" : "0");
  if (auto a = node.as_array()) {
    std::string out;
    for (const auto& item : *a) {
      auto s = item.as_string();
      if (!s) return bad("key " + name + ": array items must be strings");
      out += (out.empty() ? "" : ",") + s->get();
    }
    return out;
  }
  if (auto t = node.as_table()) {
    std::string out;
    for (const auto& [k, v] : *t) {
      auto s = v.as_string();
      if (!s) return bad("key " + name + "." + std::string(k.str()) + ": must be a string");
      out += (out.empty() ? "" : ",") + std::string(k.str()) + "=" + s->get();
    }
    return out;
  }
  return bad("key " + name + ": unsupported value type");
}

Status applyFile(Config& c, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return makeError("config.parse", path + ":" + std::to_string(where.line) + ":" +
                                         std::to_string(where.column) + ": " + std::string(e.description()));
  }
  for (const auto& [section, value] : root) {
    auto table = value.as_table();
    if (!table) return bad(path + ": \"" + std::string(section.str()) + "\" must be a [section]");
    for (const auto& [key, node] : *table) {
      std::string name = std::string(section.str()) + "." + std::string(key.str());
      const Key* k = findKey(section.str(), key.str());
      if (!k) return makeError("config.unknown_key", path + ": unknown key " + name);
      auto text = tomlText(node, name);
      if (!text) return text.error().wrap(path);
      if (auto st = k->set(c, *text); !st) return st.error().wrap(path + ": key " + name);
    }
  }
  return {};
}

void fillDerived(Config& c) {
  auto local = [](const HostPort& hp) {
    bool any = hp.host == "0.0.0.0" || hp.host == "::" || hp.host.empty();
    return any ? std::string("localhost")
               : (hp.host.find(':') != std::string::npos ? "[" + hp.host + "]" : hp.host);
  };
  if (c.http.publicUrl.empty())
    c.http.publicUrl = (c.http.tlsCert.empty() ? "http://" : "https://") + local(c.http.listen) + ":" +
                       std::to_string(c.http.listen.port);
  while (!c.http.publicUrl.empty() && c.http.publicUrl.back() == '/') c.http.publicUrl.pop_back();
  if (c.rtmp.publicUrl.empty())
    c.rtmp.publicUrl = "rtmp://" + local(c.rtmp.listen) + ":" + std::to_string(c.rtmp.listen.port) + "/live";
  while (!c.rtmp.publicUrl.empty() && c.rtmp.publicUrl.back() == '/') c.rtmp.publicUrl.pop_back();
  if (c.sql.url.empty()) c.sql.url = "sqlite://" + c.data.dir + "/hub.db";
}

}  // namespace

std::string HostPort::str() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<HostPort> parseHostPort(std::string_view text) {
  HostPort hp;
  std::string_view portText;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("\"" + std::string(text) + "\" is not [ipv6]:port");
    hp.host = std::string(text.substr(1, close - 1));
    portText = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || text.find(':') != colon)
      return bad("\"" + std::string(text) + "\" is not host:port (e.g. 0.0.0.0:8080, [::1]:8080)");
    hp.host = std::string(text.substr(0, colon));
    portText = text.substr(colon + 1);
  }
  if (hp.host.empty()) return bad("\"" + std::string(text) + "\" has no host");
  auto port = parseInt(portText, 0, 65535);
  if (!port) return bad("\"" + std::string(text) + "\": port " + port.error().message);
  hp.port = static_cast<uint16_t>(*port);
  return hp;
}

Result<std::vector<TranscodeRung>> parseLadder(std::string_view text) {
  std::vector<TranscodeRung> out;
  for (const auto& item : splitList(text)) {
    auto colon = item.find(':');
    if (colon == std::string::npos || colon < 2 || item[colon - 1] != 'p')
      return bad("ladder rung \"" + item + "\" is not <height>p:<bitrate> (e.g. 720p:2500k)");
    auto height = parseInt(std::string_view(item).substr(0, colon - 1), 16, 4320);
    if (!height) return bad("ladder rung \"" + item + "\": height " + height.error().message);
    if (*height % 2) return bad("ladder rung \"" + item + "\": height must be even");
    std::string_view rate = std::string_view(item).substr(colon + 1);
    int64_t unit = 1;
    if (!rate.empty() && (rate.back() == 'k' || rate.back() == 'K')) unit = 1000;
    if (!rate.empty() && rate.back() == 'M') unit = 1'000'000;
    if (unit != 1) rate.remove_suffix(1);
    auto bits = parseInt(rate, 1, int64_t{1} << 40);
    if (!bits || *bits * unit < 50'000 || *bits * unit > 100'000'000)
      return bad("ladder rung \"" + item + "\": bitrate must be 50k..100M");
    for (const auto& r : out)
      if (r.height == *height) return bad("ladder has height " + std::to_string(*height) + " twice");
    out.push_back({item.substr(0, colon), static_cast<int>(*height), *bits * unit});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.height > b.height; });
  return out;
}

std::string formatLadder(const std::vector<TranscodeRung>& ladder) {
  std::string out;
  for (const auto& r : ladder) {
    out += (out.empty() ? "" : ",") + r.id + ":";
    out += r.bitrate % 1000 ? std::to_string(r.bitrate) : std::to_string(r.bitrate / 1000) + "k";
  }
  return out;
}

std::map<std::string, std::string> processEnv() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos && startsWith(kv, "HUB_"))
      out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

Result<Config> load(const Sources& sources) {
  Config c;
  if (!sources.file.empty()) {
    if (auto st = applyFile(c, sources.file); !st) return st.error();
    c.source = sources.file;
  }
  // HUB_DEMO (the name the Quick start and the tests use) is [media] demo; HUB_MEDIA_DEMO and
  // --media-demo, applied after it, win.
  if (auto it = sources.env.find("HUB_DEMO"); it != sources.env.end()) {
    auto on = parseBool(it->second);
    if (!on) return on.error().wrap("environment HUB_DEMO");
    c.media.demo = *on;
  }
  for (const auto& k : table()) {
    auto it = sources.env.find(envName(k));
    if (it == sources.env.end()) continue;
    if (auto st = k.set(c, it->second); !st) return st.error().wrap("environment " + envName(k));
  }
  for (const auto& [flag, value] : sources.flags) {
    std::string norm = flag;
    for (auto& ch : norm)
      if (ch == '_') ch = '-';
    const Key* found = nullptr;
    for (const auto& k : table())
      if (flagName(k) == norm) found = &k;
    if (!found) return makeError("config.unknown_key", "unknown option --" + flag);
    if (auto st = found->set(c, value); !st) return st.error().wrap("option --" + flagName(*found));
  }
  if (c.http.tlsCert.empty() != c.http.tlsKey.empty())
    return bad("key http.tls_cert and http.tls_key must be set together");
  fillDerived(c);
  return c;
}

std::vector<KeyInfo> keys() {
  std::vector<KeyInfo> out;
  for (const auto& k : table()) out.push_back({k.name(), envName(k), "--" + flagName(k), k.help});
  return out;
}

}  // namespace hub::config
