// cms/tests/support/cms_harness.cpp
//
// The in-process CMS for tests: the same parts `hub serve` builds, on a throwaway database.
#include "cms/tests/support/cms_harness.h"

#include <algorithm>
#include <optional>

#include "cms/auth/user_store.h"
#include "cms/org/org_store.h"
#include "cms/org/org_tree.h"
#include "core/bus/bus.h"
#include "core/http/server.h"
#include "core/loop/worker_pool.h"
#include "core/metrics/registry.h"
#include "core/service/bus_streams.h"
#include "core/service/word_lists.h"
#include "core/sql/change_feed.h"
#include "core/sql/change_watcher.h"
#include "core/sql/database.h"
#include "core/sql/migration.h"
#include "core/sql/tests/backend_fixture.h"
#include "core/sql/thread_scope.h"
#include "tests/support/test_client.h"

namespace hub::cms::testing {
namespace {

std::optional<sql::ThreadScope>& workerScope() {
  thread_local std::optional<sql::ThreadScope> scope;
  return scope;
}

}  // namespace

std::string HttpReply::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? std::string() : it->second;
}

std::string HttpReply::errorCode() const {
  if (body.is_object() && body.contains("error") && body["error"].is_object() &&
      body["error"].contains("code") && body["error"]["code"].is_string())
    return body["error"]["code"].get<std::string>();
  return {};
}

void CmsClient::setSession(std::string cookie, std::string csrf) {
  cookie_ = std::move(cookie);
  csrf_ = std::move(csrf);
  bearer_.clear();
}

void CmsClient::setBearer(std::string token) {
  bearer_ = std::move(token);
  cookie_.clear();
  csrf_.clear();
}

HttpReply CmsClient::send(const std::string& method, const std::string& path, const Json& body) {
  return request(method, path, body.is_null() ? std::string() : body.dump());
}

HttpReply CmsClient::request(const std::string& method, const std::string& path, const std::string& body,
                             const std::string& extraHeaders, const std::string& contentType) {
  std::string headers = extraHeaders;
  if (!body.empty()) headers += "Content-Type: " + contentType + "\r\n";
  if (!cookie_.empty()) headers += "Cookie: hub_session=" + cookie_ + "\r\n";
  if (!csrf_.empty() && sendCsrf_ && method != "GET" && method != "HEAD")
    headers += "X-CSRF-Token: " + csrf_ + "\r\n";
  if (!bearer_.empty()) headers += "Authorization: Bearer " + bearer_ + "\r\n";
  test::TestClient c("127.0.0.1", port_);
  HttpReply out;
  if (!c.connected()) return out;
  auto r = c.request(method, path, headers, body);
  if (!r) return out;
  out.status = r->status;
  out.headers = r->headers;
  out.text = r->body;
  if (!r->body.empty()) out.body = Json::parse(r->body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

CmsHarness::CmsHarness(std::string backend, std::function<void(config::Config&)> configure)
    : backend_(std::move(backend)) {
  config_.http.publicUrl = "http://127.0.0.1";
  // libsodium's cheapest Argon2id (1 pass, 8 KiB): sign-ins are most of a CMS test's work
  // otherwise; password_test.cpp covers the production cost.
  config_.cms.passwordHashOps = 1;
  config_.cms.passwordHashMemoryKib = 8;
  if (configure) configure(config_);
}

CmsHarness::~CmsHarness() { stop(); }

bool CmsHarness::start() {
  testDb_ = std::make_unique<sql::testing::TestDatabase>(backend_);
  db_ = testDb_->open();
  if (!db_) return false;
  auto all = sql::coreMigrations();
  for (const auto& extra : extra_) {
    auto theirs = extra->migrations();
    all.insert(all.end(), theirs.begin(), theirs.end());
  }
  auto mine = cms::migrations();
  all.insert(all.end(), mine.begin(), mine.end());
  // The chat's word lists, which the CMS edits (/api/v1/moderation/words), unless a chat came along.
  if (std::none_of(all.begin(), all.end(), [](const sql::Migration& m) { return m.component == "words"; })) {
    auto words = service::wordListMigrations();
    all.insert(all.end(), words.begin(), words.end());
  }
  if (auto st = sql::migrate(*db_, all); !st) {
    ADD_FAILURE() << "migrate: " << st.error().message;
    return false;
  }
  metrics_ = std::make_unique<metrics::Registry>();
  auto bus = bus::open("memory://");
  if (!bus) {
    ADD_FAILURE() << bus.error().message;
    return false;
  }
  bus_ = std::move(*bus);
  streams_ = std::make_unique<service::BusStreams>(*bus_);
  workers_ = std::make_unique<loop::WorkerPool>(
      loop::WorkerPoolOptions{.threads = 4,
                              .maxQueue = 10000,
                              .name = "cms-test",
                              .onThreadStart = [](std::size_t) { workerScope().emplace(); },
                              .onThreadExit = [](std::size_t) { workerScope().reset(); }});
  changes_ = std::make_unique<sql::ChangeWatcher>(*db_, std::chrono::milliseconds(50));
  if (auto st = changes_->start(); !st) {
    ADD_FAILURE() << st.error().message;
    return false;
  }
  http::ServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.maxBodyBytes = static_cast<std::size_t>(config_.http.maxBodyBytes);
  server_ = std::make_unique<http::Server>(o, *metrics_);
  context_ = std::make_unique<service::Context>(service::Context{config_, *server_, *db_, *bus_, *workers_,
                                                                 *metrics_, *changes_, clock_, secret_,
                                                                 readiness_, *streams_});
  for (auto& extra : extra_)
    if (auto st = extra->start(*context_); !st) {
      ADD_FAILURE() << extra->name() << " start: " << st.error().message;
      return false;
    }
  if (auto st = service_.start(*context_); !st) {
    ADD_FAILURE() << "cms start: " << st.error().message;
    return false;
  }
  if (auto st = server_->start(); !st) {
    ADD_FAILURE() << "http start: " << st.error().message;
    return false;
  }
  started_ = true;
  return true;
}

void CmsHarness::stop() {
  if (server_) server_->stop();
  if (changes_) changes_->stop();
  if (workers_) workers_->shutdown();
  service_.stop();
  for (auto it = extra_.rbegin(); it != extra_.rend(); ++it) (*it)->stop();
  extra_.clear();
  server_.reset();
  changes_.reset();
  workers_.reset();
  context_.reset();
  streams_.reset();
  bus_.reset();
  db_.reset();
  testDb_.reset();
  started_ = false;
}

int CmsHarness::port() const { return server_ ? server_->port() : 0; }

sql::Database& CmsHarness::db() { return *db_; }

std::int64_t CmsHarness::createOrg(std::int64_t id, std::int64_t parentId, const std::string& name,
                                   int level) {
  org::OrgStore store(ctx().orgs, clock_);
  std::optional<org::Org> made;
  Status st = db_->transaction([&](sql::Transaction& tx) -> Status {
    auto o = store.create(tx, id > 0 ? std::optional<std::int64_t>(id) : std::nullopt, parentId, name, level);
    if (!o) return o.error();
    made = *o;
    return {};
  });
  if (!st) {
    ADD_FAILURE() << "create org " << id << ": " << st.error().message;
    return 0;
  }
  ctx().orgs.put(*made);
  return made->id;
}

std::int64_t CmsHarness::createUser(const std::string& username, const std::string& password,
                                    std::vector<auth::Grant> grants, std::int64_t orgId) {
  std::int64_t id = 0;
  Status st = db_->transaction([&](sql::Transaction& tx) -> Status {
    auto u = ctx().users.create(tx, auth::NewUser{username, username, password, orgId, std::move(grants)});
    if (!u) return u.error();
    id = u->id;
    return {};
  });
  if (!st) ADD_FAILURE() << "create user " << username << ": " << st.error().message;
  return id;
}

void CmsHarness::createTwoCities() {
  createOrg(1, 0, "province", 1);
  createOrg(2, 1, "city A", 2);
  createOrg(3, 2, "county A1", 3);
  createOrg(4, 1, "city B", 2);
  createOrg(5, 4, "county B1", 3);
}

std::int64_t CmsHarness::createAdmin() {
  if (adminId_ == 0) adminId_ = createUser("admin", kAdminPassword, {{auth::Role::Admin, auth::kRootOrg}}, 0);
  return adminId_;
}

CmsClient CmsHarness::login(const std::string& username, const std::string& password) {
  CmsClient c(port());
  auto r = c.post("/api/v1/auth/login", Json{{"username", username}, {"password", password}});
  if (r.status != 200) {
    ADD_FAILURE() << "login " << username << ": " << r.status << " " << r.text;
    return c;
  }
  auto setCookie = r.header("set-cookie");
  auto start = setCookie.find('=') + 1;
  c.setSession(setCookie.substr(start, setCookie.find(';') - start),
               r.body.value("csrf_token", std::string()));
  return c;
}

CmsClient CmsHarness::loginAdmin() {
  createAdmin();
  return login("admin", kAdminPassword);
}

CmsClient CmsHarness::tokenClient(CmsClient& owner, const std::string& name) {
  CmsClient c(port());
  auto r = owner.post("/api/v1/auth/tokens", Json{{"name", name}});
  if (r.status != 201) {
    ADD_FAILURE() << "create API token: " << r.status << " " << r.text;
    return c;
  }
  c.setBearer(r.body.value("token", std::string()));
  return c;
}

void CmsApiTest::SetUp() {
  harness_ = std::make_unique<CmsHarness>(GetParam(), [this](config::Config& c) { configure(c); });
  ASSERT_TRUE(harness_->start());
}

}  // namespace hub::cms::testing
