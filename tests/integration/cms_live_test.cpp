// tests/integration/cms_live_test.cpp
//
// The CMS's live events against a real media service in the same process (shared SQL, memory
// bus, one HTTP server), on SQLite and MariaDB: create (the stream is made over the bus), 422s,
// access across organisations, the ingest for hosts only and key rotation, restream targets
// from an account's live-push address, the upcoming entry in media's public listing, and the
// event's state following a real ffmpeg publish: live, ended, replay available with a draft
// video item, each move in the audit log.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cms/api/time.h"
#include "cms/tests/support/cms_harness.h"
#include "core/sql/database.h"
#include "media/service/media_service.h"
#include "tests/integration/media_test_util.h"
#include "tests/support/fixtures.h"

namespace hub::cms::testing {
namespace {

using auth::Role;

using test::ffmpegPublishArgs;
using test::waitFor;

class LiveEventsApi : public CmsApiTest {
 protected:
  void SetUp() override {
    harness_ = std::make_unique<CmsHarness>(GetParam(), [this](config::Config& c) {
      c.data.dir = dir_.path();
      c.rtmp.listen = config::HostPort{"127.0.0.1", 0};
      c.rtmp.publicUrl = "rtmp://127.0.0.1/live";
      c.media.demo = false;
      c.media.healthIntervalSeconds = 0;
      c.transcode.ladder = {};  // the source only: no encoding on a loaded test host
      c.hls.graceSeconds = 1;
      c.record.exportMp4 = false;
    });
    auto media = std::make_unique<media::service::MediaService>();
    media_ = media.get();
    harness_->addService(std::move(media));
    ASSERT_TRUE(harness_->start());
    hub().createOrg(1, 0, "省总工会");
    hub().createOrg(2, 1, "市A");
    hub().createOrg(3, 1, "市B");
    hub().createUser("ed-a", "password-1", {{Role::Editor, 2}}, 2);
    hostId_ = hub().createUser("host-a", "password-1", {{Role::Host, 2}}, 2);
    hub().createUser("ed-b", "password-1", {{Role::Editor, 3}}, 3);
  }

  std::int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(hub().clock().wall().time_since_epoch()).count();
  }
  Json event(std::int64_t orgId, std::int64_t startIn = 3600) {
    return {{"title", "春节联欢晚会"},
            {"description", "直播"},
            {"org_id", orgId},
            {"starts_at", formatTime(now() + startIn)},
            {"ends_at", formatTime(now() + startIn + 7200)},
            {"hosts", {hostId_}}};
  }
  Json publicEntry(const std::string& name) {
    auto r = hub().client().get("/api/v1/public/streams");
    for (const auto& s : r.body["streams"])
      if (s["name"] == name) return s;
    return nullptr;
  }

  test::TempDir dir_;
  media::service::MediaService* media_ = nullptr;
  std::int64_t hostId_ = 0;
};

TEST_P(LiveEventsApi, CreateValidateAccessIngestRestreamAndUpcoming) {
  auto edA = hub().login("ed-a", "password-1");
  auto host = hub().login("host-a", "password-1");
  auto edB = hub().login("ed-b", "password-1");
  auto admin = hub().loginAdmin();

  // 422 per field; another city's organisation is 403.
  Json bad = event(2);
  bad.erase("title");
  bad["starts_at"] = "2030-01-01T20:00:00";  // no offset
  bad["hosts"] = {999};
  auto r = edA.post("/api/v1/live-events", bad);
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_TRUE(r.body["error"]["fields"].contains("title"));
  EXPECT_TRUE(r.body["error"]["fields"].contains("starts_at"));
  EXPECT_TRUE(r.body["error"]["fields"].contains("hosts"));
  r = edA.post("/api/v1/live-events", event(2, -60));
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["error"]["fields"]["starts_at"], "in the past");
  Json backwards = event(2);
  backwards["ends_at"] = formatTime(now() + 60);
  r = edA.post("/api/v1/live-events", backwards);
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_TRUE(r.body["error"]["fields"].contains("ends_at"));
  EXPECT_EQ(edA.post("/api/v1/live-events", event(3)).status, 403);
  EXPECT_EQ(host.post("/api/v1/live-events", event(2)).status, 403);  // hosts do not plan events

  // Created, with its stream (over the bus, by the media service), shown in +08:00.
  r = edA.post("/api/v1/live-events", event(2));
  ASSERT_EQ(r.status, 201) << r.text;
  const auto id = r.body["id"].get<std::int64_t>();
  const std::string stream = r.body["stream"];
  EXPECT_EQ(r.body["state"], "scheduled");
  EXPECT_TRUE(r.body["starts_at"].get<std::string>().ends_with("+08:00"));
  ASSERT_TRUE(media_->store().get(stream)) << "the media service has the stream";
  // Its announcement, a draft for review before it is scheduled to accounts.
  auto announcement = edA.get("/api/v1/content/" + r.body["announcement_content_id"].dump());
  ASSERT_EQ(announcement.status, 200) << announcement.text;
  EXPECT_EQ(announcement.body["type"], "live_announcement");
  EXPECT_EQ(announcement.body["state"], "draft");
  EXPECT_NE(announcement.body["body"].get<std::string>().find("/watch/" + stream), std::string::npos);
  const std::string path = "/api/v1/live-events/" + std::to_string(id);

  // Another city: 404 for the event, absent from its list; the creator sees it.
  EXPECT_EQ(edB.get(path).status, 404);
  EXPECT_EQ(edB.get(path + "/ingest").status, 404);
  EXPECT_TRUE(edB.get("/api/v1/live-events").body["events"].empty());
  EXPECT_EQ(edA.get("/api/v1/live-events").body["events"].size(), 1u);

  // The ingest: hosts of the organisation and admins, not its editor.
  EXPECT_EQ(edA.get(path + "/ingest").status, 403);
  r = host.get(path + "/ingest");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["server_url"], "rtmp://127.0.0.1/live");
  const std::string key = r.body["stream_key"];
  EXPECT_EQ(key.size(), 32u);
  EXPECT_EQ(admin.get(path + "/ingest").body["stream_key"], key);
  EXPECT_EQ(edA.post(path + "/ingest/rotate").status, 403);
  r = host.post(path + "/ingest/rotate");
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_NE(r.body["stream_key"], key);
  EXPECT_EQ(host.get(path + "/ingest").body["stream_key"], r.body["stream_key"]);

  // Upcoming in media's public listing, for anyone.
  ASSERT_TRUE(waitFor([&] { return !publicEntry(stream).is_null(); }, 5000));
  Json entry = publicEntry(stream);
  EXPECT_EQ(entry["live"], false);
  EXPECT_EQ(entry["title"], "春节联欢晚会");
  auto startsAt = parseTime(edA.get(path).body["starts_at"].get<std::string>());
  ASSERT_TRUE(startsAt);
  EXPECT_EQ(entry["starts_at"].get<std::int64_t>(), *startsAt * 1000);

  // Restream targets from accounts' live-push addresses (credentials.live_push_url).
  r = edA.post("/api/v1/accounts", {{"name", "市A抖音"},
                                    {"platform", "douyin"},
                                    {"org_id", 2},
                                    {"credentials", {{"live_push_url", "rtmp://push.example/live/abc"}}}});
  ASSERT_EQ(r.status, 201) << r.text;
  const auto withPush = r.body["id"].get<std::int64_t>();
  r = edA.post("/api/v1/accounts", {{"name", "市A微博"}, {"platform", "weibo"}, {"org_id", 2}});
  ASSERT_EQ(r.status, 201) << r.text;
  const auto withoutPush = r.body["id"].get<std::int64_t>();

  Json e = event(2);
  e["restream_account_ids"] = {withoutPush};
  r = edA.post("/api/v1/live-events", e);
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_TRUE(r.body["error"]["fields"].contains("restream_account_ids"));

  e["restream_account_ids"] = {withPush};
  r = edA.post("/api/v1/live-events", e);
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string restreamed = r.body["stream"];
  auto s = media_->store().get(restreamed);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->restreamTargets, std::vector<std::string>{"rtmp://push.example/live/abc"});

  // Cleared again; another city's editor cannot touch it.
  const std::string restreamPath = "/api/v1/live-events/" + r.body["id"].dump();
  EXPECT_EQ(edB.put(restreamPath + "/restream", {{"account_ids", Json::array()}}).status, 404);
  r = edA.put(restreamPath + "/restream", {{"account_ids", Json::array()}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_TRUE(media_->store().get(restreamed)->restreamTargets.empty());
}

TEST_P(LiveEventsApi, StateFollowsARealPublish) {
  auto edA = hub().login("ed-a", "password-1");
  auto host = hub().login("host-a", "password-1");
  auto r = edA.post("/api/v1/live-events", event(2, 60));
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string path = "/api/v1/live-events/" + r.body["id"].dump();
  const std::string stream = r.body["stream"];
  const std::string key = host.get(path + "/ingest").body["stream_key"];
  ASSERT_FALSE(key.empty());
  auto state = [&] { return edA.get(path).body.value("state", ""); };

  test::Process ff(ffmpegPublishArgs(media_->rtmpPort(), key, 3), dir_.path() + "/ffmpeg.log");
  ASSERT_TRUE(waitFor([&] { return state() == "live"; }, 15000)) << state();
  // Live now: no longer upcoming in the public listing.
  ASSERT_TRUE(waitFor([&] { return publicEntry(stream).value("state", "") != "upcoming"; }, 5000));
  ASSERT_TRUE(waitFor([&] { return state() == "ended"; }, 20000)) << state();
  ASSERT_TRUE(waitFor([&] { return state() == "replay_available"; }, 30000)) << state();

  auto e = edA.get(path).body;
  EXPECT_FALSE(e["recording_id"].is_null());
  ASSERT_TRUE(e["replay_content_id"].is_number_integer()) << e.dump();
  auto item = edA.get("/api/v1/content/" + e["replay_content_id"].dump());
  ASSERT_EQ(item.status, 200) << item.text;
  EXPECT_EQ(item.body["type"], "video");
  EXPECT_EQ(item.body["state"], "draft");
  EXPECT_NE(item.body["body"].get<std::string>().find("/replay/" + e["recording_id"].get<std::string>()),
            std::string::npos);

  // Each move audited once.
  auto rows = hub().db().query(
      "SELECT after_json FROM cms_audit WHERE action = 'live.state' AND object_id = ? ORDER BY id",
      {e["id"].dump()});
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 3u);
}

HUB_CMS_BACKENDS(LiveEventsApi);

}  // namespace
}  // namespace hub::cms::testing
