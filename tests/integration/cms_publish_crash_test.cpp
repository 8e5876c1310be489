// tests/integration/cms_publish_crash_test.cpp
//
// The crash test of issue 6: many approved items scheduled to several webhook accounts, all due
// now; the real `hub serve` publishes them to the fake platform (which answers slowly, so sends
// are in flight) and is killed with SIGKILL while publishing, several times, then restarted on
// the same data. At the fake platform each (item, account) was posted at most once, and in the
// end every post is published (the sends a kill interrupted were unconfirmed, looked up at the
// platform and either found there or, when the platform never got them, sent once), and every
// item followed its posts to "published".
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>
#include <utility>

#include "cms/accounts/account_store.h"
#include "cms/accounts/credential_box.h"
#include "cms/accounts/platform_limits.h"
#include "cms/content/content_store.h"
#include "core/sql/database.h"
#include "tests/support/fake_platform/fake_platform.h"
#include "tests/support/fixtures.h"
#include "tests/support/test_client.h"

namespace hub::test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;

constexpr int kItems = 30;
constexpr int kAccounts = 4;
constexpr int kKills = 5;
const std::string kKey(64, 'c');

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `hub serve` on one data dir that outlives each process.
class Hub {
 public:
  Hub(const std::string& dir, const std::string& config) : dir_(dir), config_(config) {}
  bool start() {
    port_ = freePort();
    proc_ = std::make_unique<Process>(
        std::vector<std::string>{HUB_BINARY, "serve", "--config", config_, "--http-listen",
                                 "127.0.0.1:" + std::to_string(port_), "--rtmp-listen",
                                 "127.0.0.1:" + std::to_string(freePort()), "--data-dir", dir_ + "/data"},
        dir_ + "/hub-" + std::to_string(++runs_) + ".log", std::vector<std::string>{"HUB_DEMO=0"});
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!proc_->running()) return false;
      TestClient c("127.0.0.1", port_);
      if (c.connected()) {
        auto r = c.request("GET", "/healthz");
        if (r && r->status == 200) return true;
      }
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  int stop(int sig) { return proc_ ? proc_->stop(sig, 15000) : -1; }
  std::string logs() const {
    std::string all;
    for (int i = 1; i <= runs_; ++i) all += readFile(dir_ + "/hub-" + std::to_string(i) + ".log");
    return all;
  }

 private:
  std::string dir_, config_;
  int port_ = 0, runs_ = 0;
  std::unique_ptr<Process> proc_;
};

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every post scheduled in the tables the hub made on its first start: one org, kAccounts
// webhook accounts (secret sealed like the API does), kItems scheduled items, each due now on
// every account.
void seed(sql::Database& db, const FakePlatform& fake) {
  auto box = cms::accounts::CredentialBox::fromHex(kKey);
  ASSERT_TRUE(box) << box.error().message;
  const std::int64_t now = nowSeconds();
  Status st = db.transaction([&](sql::Transaction& tx) -> Status {
    if (auto r =
            tx.exec("INSERT INTO cms_orgs (id, parent_id, name, level, path, updated_at) VALUES (1, NULL, "
                    "'province', 1, '/1/', ?)",
                    {now});
        !r)
      return r.error();
    std::vector<std::pair<std::int64_t, std::string>> accounts;
    for (int a = 0; a < kAccounts; ++a) {
      cms::accounts::Account acc;
      acc.orgId = 1;
      acc.platform = cms::accounts::Platform::Website;
      acc.name = "site-" + std::to_string(a);
      acc.settings = {{"url", fake.url() + "/hook/" + acc.name},
                      {"lookup_url", fake.url() + "/hook/" + acc.name + "/lookup"}};
      auto id = cms::accounts::insertAccount(tx, acc, now);
      if (!id) return id.error();
      if (Status s =
              cms::accounts::setCredentials(tx, *id, box->seal(Json{{"secret", fake.secret()}}.dump()), now);
          !s)
        return s;
      accounts.emplace_back(*id, acc.name);
    }
    for (int i = 0; i < kItems; ++i) {
      cms::content::Item item;
      item.orgId = 1;
      item.type = "article";
      item.title = "新闻 " + std::to_string(i);
      item.body = "正文";
      item.bodyHtml = "<p>正文</p>";
      item.state = "scheduled";
      item.revision = 1;
      item.createdAt = item.updatedAt = now;
      auto id = cms::content::insertItem(tx, item);
      if (!id) return id.error();
      for (const auto& [accountId, name] : accounts)
        if (auto r = tx.exec(
                "INSERT INTO cms_schedules (org_id, item_id, account_id, platform, title, account_name, "
                "due_at, "
                "state, attempts, created_by, created_at, updated_at) VALUES (1, ?, ?, 'website', ?, ?, ?, "
                "'scheduled', 0, 0, ?, ?)",
                {*id, accountId, item.title, name, now - 1, now, now});
            !r)
          return r.error();
    }
    return {};
  });
  ASSERT_TRUE(st) << st.error().message;
}

std::map<std::string, int> statesOf(sql::Database& db, const std::string& table) {
  std::map<std::string, int> out;
  auto rows = db.query("SELECT state, COUNT(*) AS n FROM " + table + " GROUP BY state");
  if (rows)
    for (const auto& r : *rows) out[r.getString("state")] = static_cast<int>(r.getInt("n"));
  return out;
}

// For a failure's message: each item that is not published, its posts (schedule and outbox
// rows) and its transition log.
std::string notPublished(sql::Database& db) {
  std::string out;
  auto items = db.query("SELECT id, state FROM cms_content WHERE state <> 'published' ORDER BY id");
  if (!items) return items.error().message;
  for (const auto& i : *items) {
    const std::int64_t id = i.getInt("id");
    out += "item " + std::to_string(id) + " " + i.getString("state") + "; posts:";
    auto posts = db.query(
        "SELECT s.id, s.account_id, s.state, o.state AS o_state, o.lease_owner, o.attempts, o.lookups FROM "
        "cms_schedules s LEFT JOIN cms_outbox o ON o.schedule_id = s.id WHERE s.item_id = ? ORDER BY s.id",
        {id});
    if (posts)
      for (const auto& p : *posts)
        out += " [account " + std::to_string(p.getInt("account_id")) + " " + p.getString("state") +
               ", outbox " + (p.isNull("o_state") ? "-" : p.getString("o_state")) + " lease " +
               (p.isNull("lease_owner") ? "-" : p.getString("lease_owner")) + " attempts " +
               std::to_string(p.isNull("attempts") ? 0 : p.getInt("attempts")) + "]";
    out += "; moves:";
    auto moves = db.query(
        "SELECT from_state, to_state, comment FROM cms_workflow_transitions WHERE item_id = ? ORDER BY id",
        {id});
    if (moves)
      for (const auto& m : *moves)
        out += " " + m.getString("from_state") + ">" + m.getString("to_state") + " (" +
               m.getString("comment") + ")";
    out += "\n";
  }
  return out;
}

TEST(CmsPublishCrash, KilledWhilePublishingPostsEachItemToEachAccountAtMostOnce) {
  FakePlatform fake("crash-secret", 150);  // every platform answer takes 150 ms: sends are in flight
  TempDir dir;
  const std::string config = dir.path() + "/hub.toml";
  {
    std::ofstream f(config);
    f << "[cms_content]\ncredentials_key = \"" << kKey << "\"\n"
      << "[cms_schedule]\ntick_ms = 50\nsenders = 8\nreconcile_delay_ms = 200\n"
      << "reconcile_grace_seconds = 2\nrequest_timeout_ms = 5000\nmax_attempts = 5\n";
  }
  Hub hub(dir.path(), config);
  ASSERT_TRUE(hub.start()) << hub.logs();  // makes the tables
  ASSERT_EQ(hub.stop(SIGTERM), 0) << hub.logs();
  auto db = sql::open("sqlite://" + dir.path() + "/data/hub.db");
  ASSERT_TRUE(db) << db.error().message;
  seed(**db, fake);
  if (HasFatalFailure()) return;
  const std::size_t total = static_cast<std::size_t>(kItems * kAccounts);

  for (int kill = 0; kill < kKills; ++kill) {
    const std::size_t before = fake.posts().size();
    ASSERT_TRUE(hub.start()) << hub.logs();
    // Killed while publishing: once a few more posts arrived, so others are in flight.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (fake.posts().size() < std::min(total, before + 12) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(10ms);
    hub.stop(SIGKILL);
  }
  const auto afterKills = statesOf(**db, "cms_schedules");
  EXPECT_LT(fake.posts().size(), total) << "the kills came after everything was sent";

  ASSERT_TRUE(hub.start()) << hub.logs();
  auto deadline = std::chrono::steady_clock::now() + 40s;
  std::map<std::string, int> states;
  while (std::chrono::steady_clock::now() < deadline) {
    states = statesOf(**db, "cms_schedules");
    if (states["published"] == static_cast<int>(total)) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(states["published"], static_cast<int>(total))
      << "after the kills: " << Json(afterKills).dump() << ", now: " << Json(states).dump() << "\n"
      << notPublished(**db) << hub.logs().substr(0, 20000);

  // At the platform: each (item, account) at most once, and every one of them in the end.
  std::map<std::pair<std::int64_t, std::int64_t>, int> perPair;
  for (const auto& p : fake.posts())
    ++perPair[{p["item_id"].get<std::int64_t>(), p["account_id"].get<std::int64_t>()}];
  EXPECT_EQ(perPair.size(), total);
  for (const auto& [pair, n] : perPair)
    EXPECT_EQ(n, 1) << "item " << pair.first << " was posted " << n << " times to account " << pair.second;
  EXPECT_EQ(fake.stats()["bad_signatures"], 0);

  // The kills did interrupt sends, and they were reconciled rather than sent again blindly.
  const std::string logs = hub.logs();
  std::cout << "after " << kKills << " kills: " << Json(afterKills).dump() << "; restarts that found sends "
            << "in flight: " << count(logs, "were interrupted; they are reconciled")
            << "; reconciled as found at the platform: " << count(logs, "reconciled: the platform has it")
            << "; sent again after a lookup said not there: "
            << count(logs, "does not have it; sending again") << "\n";
  EXPECT_GT(count(logs, "were interrupted; they are reconciled"), 0u) << "no kill caught a send in flight";
  EXPECT_EQ(statesOf(**db, "cms_content")["published"], kItems)
      << Json(statesOf(**db, "cms_content")).dump() << "\n"
      << notPublished(**db);
  EXPECT_EQ(hub.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace hub::test
