// app/challenge_cli.cpp
#include "app/challenge_cli.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "cms/connectors/http_client.h"

namespace hub::app {

int runChallenge(const config::Config& config, const Invocation& inv) {
  const std::string& id = inv.args[1];
  std::string base;
  for (const auto& [name, value] : inv.cmsOptions)
    if (name == "url") base = value;
  if (base.empty()) {
    // The listen address; a wildcard one is reached on loopback.
    config::HostPort at = config.http.listen;
    if (at.host.empty() || at.host == "0.0.0.0") at.host = "127.0.0.1";
    if (at.host == "::") at.host = "::1";
    base = std::string(config.http.tlsCert.empty() ? "http://" : "https://") + at.str();
  }
  if (config.admin.token.empty()) {
    std::fprintf(stderr, "hub: [admin] token is not set: the running hub refuses admin calls\n");
    return kUsage;
  }
  auto client = cms::connectors::makeCurlClient({std::chrono::milliseconds(3000), std::chrono::minutes(30)});
  cms::connectors::HttpRequest req;
  req.method = "POST";
  req.url = base + "/api/v1/admin/challenges/" + id + "/rebuild";
  req.headers["Authorization"] = "Bearer " + config.admin.token;
  auto res = client->send(req);
  if (!res.ok()) {
    std::fprintf(stderr, "hub: no answer from the hub at %s: %s\n", base.c_str(), res.error.c_str());
    return kRuntime;
  }
  auto body = nlohmann::json::parse(res.body, nullptr, false);
  if (res.status != 200) {
    std::string why = res.body;
    if (body.is_object() && body.contains("error") && body["error"].is_object())
      why = body["error"].value("code", "") + ": " + body["error"].value("message", "");
    std::fprintf(stderr, "hub: rebuild of challenge %s refused (%d) %s\n", id.c_str(), res.status,
                 why.c_str());
    return res.status == 404 ? kUsage : kRuntime;
  }
  std::printf("challenge %s: boards rebuilt, %lld participants in %.3f s\n", id.c_str(),
              body.is_object() ? static_cast<long long>(body.value("participants", 0LL)) : 0LL,
              body.is_object() ? body.value("seconds", 0.0) : 0.0);
  return kOk;
}

}  // namespace hub::app
