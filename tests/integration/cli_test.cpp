// The `hub` command line as an operator meets it: help, version, configuration errors (exit 2),
// runtime failures (exit 1), and a clean start and stop on embedded defaults.
#include <chrono>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "tests/integration/hub_process.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

using hub::test::HubProcess;
using hub::test::run;
using hub::test::TestClient;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST(Cli, VersionAndHelp) {
  auto v = run({HUB_BINARY, "version"});
  EXPECT_EQ(v.exitCode, 0);
  EXPECT_TRUE(contains(v.output, "hub " HUB_VERSION)) << v.output;

  auto h = run({HUB_BINARY, "--help"});
  EXPECT_EQ(h.exitCode, 0);
  for (const char* cmd : {"serve", "migrate", "version"}) EXPECT_TRUE(contains(h.output, cmd)) << h.output;

  auto sh = run({HUB_BINARY, "serve", "--help"});
  EXPECT_EQ(sh.exitCode, 0);
  EXPECT_TRUE(contains(sh.output, "--role media|chat|cms"));
  EXPECT_TRUE(contains(sh.output, "HUB_HTTP_LISTEN"));
  EXPECT_TRUE(contains(sh.output, "--sql-url"));

  auto mh = run({HUB_BINARY, "help", "migrate"});
  EXPECT_EQ(mh.exitCode, 0);
  EXPECT_TRUE(contains(mh.output, "Usage: hub migrate"));
}

TEST(Cli, UsageErrorsExitTwo) {
  auto none = run({HUB_BINARY});
  EXPECT_EQ(none.exitCode, 2);
  auto unknown = run({HUB_BINARY, "fly"});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_TRUE(contains(unknown.output, "unknown command \"fly\""));
  auto role = run({HUB_BINARY, "serve", "--role", "video"});
  EXPECT_EQ(role.exitCode, 2);
  EXPECT_TRUE(contains(role.output, "--role must be media, chat or cms"));
  auto dangling = run({HUB_BINARY, "serve", "--http-listen"});
  EXPECT_EQ(dangling.exitCode, 2);
  EXPECT_TRUE(contains(dangling.output, "needs a value"));
}

TEST(Cli, ConfigErrorsNameTheKeyAndExitTwo) {
  hub::test::TempDir dir;
  std::string file = dir.path() + "/hub.toml";
  std::ofstream(file) << "[http]\nlisten = \"127.0.0.1:0\"\nthreds = 2\n";
  auto r = run({HUB_BINARY, "serve", "--config", file});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_TRUE(contains(r.output, "unknown key http.threds")) << r.output;

  auto env = run({HUB_BINARY, "serve"}, {"HUB_HTTP_LISTEN=nowhere"});
  EXPECT_EQ(env.exitCode, 2);
  EXPECT_TRUE(contains(env.output, "HUB_HTTP_LISTEN")) << env.output;

  auto flag = run({HUB_BINARY, "serve", "--log-level", "loud"});
  EXPECT_EQ(flag.exitCode, 2);
  EXPECT_TRUE(contains(flag.output, "--log-level")) << flag.output;

  auto missing = run({HUB_BINARY, "serve", "--config", dir.path() + "/absent.toml"});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_TRUE(contains(missing.output, "does not exist"));
}

TEST(Cli, MemberImportWritesOnceAndRefusesABadFileWhole) {
  hub::test::TempDir dir;
  const std::string data = dir.path() + "/data";
  std::ofstream(dir.path() + "/orgs.csv") << "id,parent_id,name,level\n1,,省总工会,1\n2,1,市总工会,2\n"
                                             "3,2,一中工会,4\n4,2,二中工会,4\n";
  auto orgs = run({HUB_BINARY, "org", "import", dir.path() + "/orgs.csv", "--data-dir", data});
  ASSERT_EQ(orgs.exitCode, 0) << orgs.output;

  const std::string members = dir.path() + "/members.csv";
  std::ofstream(members) << "member_no,name,org_id,phone\nM-1,张三,3,13800000000\nM-2,李四,4,\n";
  auto first = run({HUB_BINARY, "member", "import", members, "--data-dir", data});
  EXPECT_EQ(first.exitCode, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "imported 2 members")) << first.output;
  EXPECT_TRUE(contains(first.output, "2 new, 0 updated, 0 unchanged")) << first.output;
  auto again = run({HUB_BINARY, "member", "import", members, "--data-dir", data});
  EXPECT_TRUE(contains(again.output, "0 new, 0 updated, 2 unchanged")) << again.output;

  // Org 2 has children (not grassroots): the whole file is refused, the good row too.
  std::ofstream(members) << "member_no,name,org_id\nM-3,王五,3\nM-4,赵六,2\n";
  auto bad = run({HUB_BINARY, "member", "import", members, "--data-dir", data});
  EXPECT_EQ(bad.exitCode, 1) << bad.output;
  EXPECT_TRUE(contains(bad.output, "members.csv:3:")) << bad.output;
  EXPECT_TRUE(contains(bad.output, "nothing was changed")) << bad.output;
  std::ofstream(members) << "member_no,name,org_id\nM-3,王五,3\n";
  auto after = run({HUB_BINARY, "member", "import", members, "--data-dir", data});
  EXPECT_TRUE(contains(after.output, "1 new, 0 updated, 0 unchanged")) << after.output;

  auto missing = run({HUB_BINARY, "member", "import", dir.path() + "/absent.csv", "--data-dir", data});
  EXPECT_EQ(missing.exitCode, 2);
  auto usage = run({HUB_BINARY, "member", "export"});
  EXPECT_EQ(usage.exitCode, 2);
  EXPECT_TRUE(contains(usage.output, "usage: hub member import FILE.csv")) << usage.output;
}

TEST(Cli, RoleOrRedisWithoutSecretIsAConfigError) {
  hub::test::TempDir dir;
  auto r =
      run({HUB_BINARY, "serve", "--role", "chat", "--data-dir", dir.path(), "--http-listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_TRUE(contains(r.output, "auth.secret")) << r.output;
}

TEST(Cli, PortInUseExitsOneNamingTheAddress) {
  hub::test::SilentListener taken;
  std::string listen = "127.0.0.1:" + std::to_string(taken.port());
  hub::test::TempDir dir;
  auto r = run({HUB_BINARY, "serve", "--http-listen", listen, "--rtmp-listen", "127.0.0.1:0", "--data-dir",
                dir.path()},
               {"HUB_DEMO=0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.output, listen)) << r.output;
}

TEST(Cli, MysqlUnreachableExitsOneWithoutThePassword) {
  int port = hub::test::freePort();
  hub::test::TempDir dir;
  auto r = run(
      {HUB_BINARY, "serve", "--sql-url", "mysql://hub:s3cr3tpw@127.0.0.1:" + std::to_string(port) + "/hub",
       "--data-dir", dir.path(), "--http-listen", "127.0.0.1:0"},
      {"HUB_DEMO=0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.output, "127.0.0.1:" + std::to_string(port))) << r.output;
  EXPECT_FALSE(contains(r.output, "s3cr3tpw")) << r.output;
}

TEST(Serve, EmbeddedDefaultsServeHealthReadyMetricsAndStopOnSigterm) {
  HubProcess hub;
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  TestClient c("127.0.0.1", hub.httpPort());
  auto health = c.request("GET", "/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_TRUE(contains(health->body, "\"status\":\"ok\""));
  auto ready = c.request("GET", "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
  EXPECT_TRUE(contains(ready->body, "\"sql\":\"ok\""));
  auto missing = c.request("GET", "/no/such/page");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_TRUE(contains(missing->body, "{\"error\":{\"code\":"));
  auto metrics = c.request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_TRUE(contains(metrics->body, "hub_http_requests_total{")) << metrics->body;
  EXPECT_TRUE(contains(metrics->body, "hub_bus_up{engine=\"memory\"} 1"));
  EXPECT_TRUE(contains(metrics->body, "process_resident_memory_bytes"));
  auto landing = c.request("GET", "/");
  ASSERT_TRUE(landing);
  EXPECT_EQ(landing->status, 200);
  EXPECT_TRUE(contains(landing->header("content-type"), "text/html"));

  EXPECT_EQ(hub.terminate(), 0) << hub.log();
  EXPECT_TRUE(contains(hub.log(), "stopped"));
}

TEST(Serve, ListenAddressIsHonouredExactly) {
  HubProcess hub;
  ASSERT_TRUE(hub.waitReady()) << hub.log();
  // Bound to 127.0.0.1 only: another loopback address on the same port finds nobody.
  TestClient other("127.0.0.2", hub.httpPort());
  EXPECT_FALSE(other.connected());
  TestClient same("127.0.0.1", hub.httpPort());
  EXPECT_TRUE(same.connected());
}

TEST(Serve, MigrateIsIdempotentAndListsWhatIsApplied) {
  hub::test::TempDir dir;
  auto first = run({HUB_BINARY, "migrate", "--data-dir", dir.path()});
  EXPECT_EQ(first.exitCode, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "core")) << first.output;
  auto again = run({HUB_BINARY, "migrate", "--data-dir", dir.path()});
  EXPECT_EQ(again.exitCode, 0) << again.output;
}

TEST(Serve, TlsServesHttp2AndHttp11) {
  hub::test::TempDir dir;
  std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  auto made = run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                   "-days", "2", "-subj", "/CN=localhost"});
  ASSERT_EQ(made.exitCode, 0) << made.output;
  HubProcess hub({"--http-tls-cert", cert, "--http-tls-key", key});
  std::string url = "https://127.0.0.1:" + std::to_string(hub.httpPort()) + "/healthz";
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = run({"curl", "-sk", "--max-time", "2", url}).exitCode == 0;
    if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up) << hub.log();
  auto h2 = run({"curl", "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_version} %{http_code}", url});
  EXPECT_EQ(h2.output, "2 200");
  auto h1 = run({"curl", "-sk", "--http1.1", "-w", " %{http_version} %{http_code}", url});
  EXPECT_TRUE(contains(h1.output, "\"status\":\"ok\"")) << h1.output;
  EXPECT_TRUE(contains(h1.output, " 1.1 200")) << h1.output;

  // A body of many TLS records (200 KB) is read whole on both protocols, each record in one read
  // of the loop's 32 KiB buffer (core/http/context_thread.cpp).
  std::string big = dir.path() + "/big.json";
  {
    std::ofstream out(big);
    out << "{\"pad\":\"" << std::string(200'000, 'x') << "\"}";
  }
  std::string tokenUrl = "https://127.0.0.1:" + std::to_string(hub.httpPort()) + "/api/v1/chat/token";
  for (const char* version : {"--http1.1", "--http2"}) {
    auto post = run({"curl", "-sk", version, "--max-time", "5", "-H", "Content-Type: application/json",
                     "--data-binary", "@" + big, "-w", " %{http_code}", tokenUrl});
    EXPECT_TRUE(contains(post.output, "\"token\"")) << version << ": " << post.output;
    EXPECT_TRUE(contains(post.output, " 200")) << version << ": " << post.output;
  }
  EXPECT_EQ(hub.terminate(), 0) << hub.log();
}

TEST(Serve, UnreadableTlsFileExitsOneNamingIt) {
  hub::test::TempDir dir;
  auto r = run({HUB_BINARY, "serve", "--http-listen", "127.0.0.1:0", "--rtmp-listen", "127.0.0.1:0",
                "--data-dir", dir.path(), "--http-tls-cert", dir.path() + "/missing.pem", "--http-tls-key",
                dir.path() + "/missing-key.pem"},
               {"HUB_DEMO=0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.output, "missing.pem")) << r.output;
}

TEST(Serve, TlsFileThatIsNoCertificateExitsOneAtOnce) {
  hub::test::TempDir dir;
  std::string junk = dir.path() + "/junk.pem";
  {
    std::ofstream out(junk);
    out << "not a certificate\n";
  }
  auto began = std::chrono::steady_clock::now();
  auto r = run({HUB_BINARY, "serve", "--http-listen", "127.0.0.1:0", "--rtmp-listen", "127.0.0.1:0",
                "--data-dir", dir.path(), "--http-tls-cert", junk, "--http-tls-key", junk},
               {"HUB_DEMO=0"});
  auto took = std::chrono::steady_clock::now() - began;
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.output, junk + ": no PEM certificate in it")) << r.output;
  EXPECT_LT(took, std::chrono::seconds(5)) << r.output;
}

TEST(Serve, TlsKeyOfAnotherCertificateExitsOneNamingIt) {
  hub::test::TempDir dir;
  std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem",
              other = dir.path() + "/other.pem";
  for (const auto& [c, k] : {std::pair{cert, key}, std::pair{dir.path() + "/cert2.pem", other}}) {
    auto made = run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", k, "-out", c,
                     "-days", "2", "-subj", "/CN=localhost"});
    ASSERT_EQ(made.exitCode, 0) << made.output;
  }
  auto r = run({HUB_BINARY, "serve", "--http-listen", "127.0.0.1:0", "--rtmp-listen", "127.0.0.1:0",
                "--data-dir", dir.path(), "--http-tls-cert", cert, "--http-tls-key", other},
               {"HUB_DEMO=0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_TRUE(contains(r.output, other + ": is not the key of the certificate in " + cert)) << r.output;
}
