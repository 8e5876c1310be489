// cms/tests/support/cms_harness.h
//
// What every CMS API test needs: a CmsService in-process on a free loopback port, on SQLite or
// on the run's MariaDB (a fresh database each), with a clock tests can move forward; users and
// organisations made directly in SQL; and a client that signs in and then sends the session
// cookie and X-CSRF-Token (or an API token) with every request.
//
//   class AccountsApi : public hub::cms::testing::CmsApiTest {};
//   TEST_P(AccountsApi, CityEditorCannotSeeOtherCity) {
//     hub().createOrg(1, 0, "省");
//     hub().createOrg(2, 1, "市A");
//     auto admin = hub().loginAdmin();
//     hub().createUser("ed", "password-1", {{auth::Role::Editor, 2}}, 2);
//     auto ed = hub().login("ed", "password-1");
//     auto r = ed.post("/api/v1/accounts", {{"name", "x"}, {"org_id", 3}});
//     EXPECT_EQ(r.status, 403) << r.text;
//   }
//   HUB_CMS_BACKENDS(AccountsApi);   // runs on sqlite and mysql (needs FIXTURES mariadb)
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cms/api/json.h"
#include "cms/auth/actor.h"
#include "cms/cms_service.h"
#include "core/config/config.h"
#include "core/service/readiness.h"
#include "core/util/clock.h"

namespace hub::sql {
class Database;
class ChangeWatcher;
}  // namespace hub::sql
namespace hub::sql::testing {
class TestDatabase;
}
namespace hub::bus {
class Bus;
}
namespace hub::http {
class Server;
}
namespace hub::loop {
class WorkerPool;
}
namespace hub::metrics {
class Registry;
}
namespace hub::service {
class BusStreams;
}

namespace hub::cms::testing {

inline constexpr const char* kAdminPassword = "admin-password-1";

// The system clock plus an offset that only grows: time flows as usual (timeouts, schedulers)
// and tests jump ahead (session expiry, due times).
class OffsetClock final : public Clock {
 public:
  Steady steady() const override { return std::chrono::steady_clock::now() + offset(); }
  Wall wall() const override {
    return std::chrono::system_clock::now() +
           std::chrono::duration_cast<std::chrono::system_clock::duration>(offset());
  }
  void advance(std::chrono::nanoseconds d) { offsetNs_ += d.count(); }

 private:
  std::chrono::nanoseconds offset() const { return std::chrono::nanoseconds(offsetNs_.load()); }
  std::atomic<long long> offsetNs_{0};
};

struct HttpReply {
  int status = 0;                              // 0: no answer (connection failed or timed out)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string text;                            // the raw body
  Json body;                                   // parsed when JSON, else null
  std::string header(const std::string& lowerName) const;
  // body["error"]["code"] or "".
  std::string errorCode() const;
};

class CmsClient {
 public:
  explicit CmsClient(int port) : port_(port) {}

  HttpReply get(const std::string& path) { return request("GET", path, ""); }
  HttpReply del(const std::string& path) { return request("DELETE", path, ""); }
  HttpReply post(const std::string& path, const Json& body = Json::object()) {
    return send("POST", path, body);
  }
  HttpReply put(const std::string& path, const Json& body) { return send("PUT", path, body); }
  HttpReply patch(const std::string& path, const Json& body) { return send("PATCH", path, body); }
  HttpReply send(const std::string& method, const std::string& path, const Json& body);
  // Any body and headers ("Name: value\r\n" each); the client's credentials are added.
  HttpReply request(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& extraHeaders = "",
                    const std::string& contentType = "application/json");

  // Credentials: a session (cookie + CSRF token) or an API token.
  void setSession(std::string cookie, std::string csrf);
  void setBearer(std::string token);
  void setSendCsrf(bool send) { sendCsrf_ = send; }
  const std::string& cookie() const { return cookie_; }
  const std::string& csrf() const { return csrf_; }
  const std::string& bearer() const { return bearer_; }

 private:
  int port_;
  std::string cookie_, csrf_, bearer_;
  bool sendCsrf_ = true;
};

class CmsHarness {
 public:
  // backend: "sqlite" or "mysql". configure runs on the config before start.
  explicit CmsHarness(std::string backend = "sqlite", std::function<void(config::Config&)> configure = {});
  ~CmsHarness();
  CmsHarness(const CmsHarness&) = delete;
  CmsHarness& operator=(const CmsHarness&) = delete;

  // Before start(): another service (media, for the live events' streams) in the same process,
  // sharing the database, bus and HTTP server; migrated and started before the CMS, stopped
  // after it.
  void addService(std::unique_ptr<service::Service> s) { extra_.push_back(std::move(s)); }
  // Migrates, starts the service and the HTTP server; false (and a test failure) on error.
  bool start();
  void stop();

  int port() const;
  OffsetClock& clock() { return clock_; }
  sql::Database& db();
  const config::Config& config() const { return config_; }
  CmsService& service() { return service_; }
  CmsContext& ctx() { return service_.context(); }
  const std::string& authSecret() const { return secret_; }
  const std::string& backend() const { return backend_; }

  // Straight into SQL (and the cached tree), no HTTP, no audit. Returns the id; fails the test
  // on error.
  std::int64_t createOrg(std::int64_t id, std::int64_t parentId, const std::string& name, int level = 0);
  std::int64_t createUser(const std::string& username, const std::string& password,
                          std::vector<auth::Grant> grants, std::int64_t orgId = 0);
  // The tree most access tests use: 1 province: 2 city A (3 county A1), 4 city B (5 county B1).
  void createTwoCities();
  // "admin" with Admin on the whole tree (org 0), password kAdminPassword; once.
  std::int64_t createAdmin();

  CmsClient client() const { return CmsClient(port()); }
  // POST /api/v1/auth/login; the client then carries the cookie and CSRF token.
  CmsClient login(const std::string& username, const std::string& password);
  CmsClient loginAdmin();
  // A client with an API token made by `owner` (POST /api/v1/auth/tokens).
  CmsClient tokenClient(CmsClient& owner, const std::string& name = "script");

 private:
  std::string backend_;
  config::Config config_;
  OffsetClock clock_;
  std::string secret_ = "cms-test-secret-0123456789";
  std::unique_ptr<sql::testing::TestDatabase> testDb_;
  std::unique_ptr<sql::Database> db_;
  std::unique_ptr<metrics::Registry> metrics_;
  std::unique_ptr<bus::Bus> bus_;
  std::unique_ptr<service::BusStreams> streams_;
  std::unique_ptr<loop::WorkerPool> workers_;
  std::unique_ptr<sql::ChangeWatcher> changes_;
  std::unique_ptr<http::Server> server_;
  service::Readiness readiness_;
  std::unique_ptr<service::Context> context_;
  std::vector<std::unique_ptr<service::Service>> extra_;
  CmsService service_;
  std::int64_t adminId_ = 0;
  bool started_ = false;
};

// One test body on both backends: TEST_P(Suite, Case) then HUB_CMS_BACKENDS(Suite).
// Override configure() to change the config before the hub starts.
class CmsApiTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override { harness_.reset(); }
  virtual void configure(config::Config&) {}
  CmsHarness& hub() { return *harness_; }

  std::unique_ptr<CmsHarness> harness_;
};

inline std::string cmsBackendName(const ::testing::TestParamInfo<std::string>& p) { return p.param; }

}  // namespace hub::cms::testing

#define HUB_CMS_BACKENDS(Suite)                                                                             \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::testing::Values(std::string("sqlite"), std::string("mysql")), \
                           ::hub::cms::testing::cmsBackendName)
