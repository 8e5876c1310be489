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
      c.cms.livePollSeconds = 1;  // the catch-up poll, seconds of the harness's clock
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

  // A small JPEG in org 2's media library; returns its media id.
  std::int64_t uploadJpeg(CmsClient& ed, const std::string& jpeg) {
    auto up =
        ed.post("/api/v1/media/uploads", {{"org_id", 2}, {"name", "poster.jpg"}, {"size", jpeg.size()}});
    EXPECT_EQ(up.status, 201) << up.text;
    auto id = std::to_string(up.body.value("id", std::int64_t{0}));
    auto put = ed.request("PUT", "/api/v1/media/uploads/" + id, jpeg,
                          "Content-Range: bytes 0-" + std::to_string(jpeg.size() - 1) + "/" +
                              std::to_string(jpeg.size()) + "\r\n",
                          "application/octet-stream");
    EXPECT_EQ(put.status, 200) << put.text;
    EXPECT_EQ(ed.post("/api/v1/media/uploads/" + id + "/complete").status, 200);
    return up.body.value("id", std::int64_t{0});
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

TEST_P(LiveEventsApi, AnnouncementPostsMustBeDueBeforeTheEventStarts) {
  hub().createUser("rev-a", "password-1", {{Role::Reviewer, 2}}, 2);
  auto edA = hub().login("ed-a", "password-1");
  auto rev = hub().login("rev-a", "password-1");
  auto r = edA.post("/api/v1/live-events", event(2, 7200));
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string item = r.body["announcement_content_id"].dump();
  const std::string startsAt = r.body["starts_at"];
  ASSERT_EQ(edA.post("/api/v1/content/" + item + "/submit").status, 200);
  ASSERT_EQ(rev.post("/api/v1/content/" + item + "/approve").status, 200);
  r = edA.post("/api/v1/accounts", {{"name", "市A网站"},
                                    {"platform", "website"},
                                    {"org_id", 2},
                                    {"settings", {{"url", "http://127.0.0.1:9/hook"}}}});
  ASSERT_EQ(r.status, 201) << r.text;
  const auto account = r.body["id"].get<std::int64_t>();

  // At the start, or after it: 422 with its own code, naming the time; nothing is scheduled.
  for (std::int64_t offset : {7200, 7200 + 600}) {
    r = edA.post("/api/v1/schedules", {{"item_id", std::stoll(item)},
                                       {"account_ids", {account}},
                                       {"times", {formatTime(now() + 1800), formatTime(now() + offset)}}});
    ASSERT_EQ(r.status, 422) << r.text;
    EXPECT_EQ(r.errorCode(), "schedule.after_event_start");
    EXPECT_TRUE(r.body["error"]["fields"].contains("times[1]")) << r.text;
    EXPECT_NE(r.body["error"]["message"].get<std::string>().find(startsAt), std::string::npos) << r.text;
  }
  EXPECT_EQ(edA.get("/api/v1/content/" + item + "/targets").body["targets"].size(), 0u);

  // Before it: scheduled; moving that post past the start is refused the same way.
  r = edA.post(
      "/api/v1/schedules",
      {{"item_id", std::stoll(item)}, {"account_ids", {account}}, {"times", {formatTime(now() + 1800)}}});
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string schedule = "/api/v1/schedules/" + r.body["schedules"][0]["id"].dump();
  r = edA.patch(schedule, {{"at", formatTime(now() + 9000)}});
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.errorCode(), "schedule.after_event_start");
  EXPECT_TRUE(r.body["error"]["fields"].contains("at"));
  r = edA.patch(schedule, {{"at", formatTime(now() + 3600)}});
  EXPECT_EQ(r.status, 200) << r.text;
}

TEST_P(LiveEventsApi, EditTimesTitleHostsWithAccessValidationAuditAndAnnouncementCheck) {
  hub().createUser("rev-a", "password-1", {{Role::Reviewer, 2}}, 2);
  const auto host2 = hub().createUser("host-a2", "password-1", {{Role::Host, 2}}, 2);
  auto edA = hub().login("ed-a", "password-1");
  auto edB = hub().login("ed-b", "password-1");
  auto host = hub().login("host-a", "password-1");
  auto rev = hub().login("rev-a", "password-1");
  auto r = edA.post("/api/v1/live-events", event(2, 7200));
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string path = "/api/v1/live-events/" + r.body["id"].dump();
  const std::string stream = r.body["stream"];
  const std::string item = r.body["announcement_content_id"].dump();

  // Access and validation.
  EXPECT_EQ(edB.patch(path, {{"title", "x"}}).status, 404);
  EXPECT_EQ(host.patch(path, {{"title", "x"}}).status, 403);
  r = edA.patch(path, {{"starts_at", formatTime(now() - 60)}, {"org_id", 3}, {"hosts", {999}}});
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.body["error"]["fields"]["starts_at"], "in the past");
  EXPECT_TRUE(r.body["error"]["fields"].contains("org_id"));
  EXPECT_TRUE(r.body["error"]["fields"].contains("hosts"));
  r = edA.patch(path, {{"ends_at", formatTime(now() + 3600)}});  // before the start
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_TRUE(r.body["error"]["fields"].contains("ends_at"));

  // Edited: title, times and hosts; audited; media's upcoming entry follows.
  r = edA.patch(path, {{"title", "元宵晚会"},
                       {"starts_at", formatTime(now() + 5400)},
                       {"ends_at", formatTime(now() + 9000)},
                       {"hosts", {hostId_, host2}}});
  ASSERT_EQ(r.status, 200) << r.text;
  EXPECT_EQ(r.body["title"], "元宵晚会");
  EXPECT_EQ(r.body["hosts"].size(), 2u);
  auto got = edA.get(path).body;
  EXPECT_EQ(got["title"], "元宵晚会");
  auto startsAt = parseTime(got["starts_at"].get<std::string>());
  ASSERT_TRUE(startsAt);
  EXPECT_NEAR(static_cast<double>(*startsAt), static_cast<double>(now() + 5400), 5);
  auto audit =
      hub().db().query("SELECT COUNT(*) AS n FROM cms_audit WHERE action = 'live.update' AND object_id = ?",
                       {got["id"].dump()});
  ASSERT_TRUE(audit);
  EXPECT_EQ((*audit)[0].getInt("n"), 1);
  // The announcement, still a draft, names the new start (in a new revision).
  const std::string newStart = "开始时间：" + formatTime(*startsAt);
  auto announcementBody = [&] { return edA.get("/api/v1/content/" + item).body["body"].get<std::string>(); };
  EXPECT_NE(announcementBody().find(newStart), std::string::npos) << announcementBody();
  EXPECT_EQ(edA.get("/api/v1/content/" + item).body["revision"], 2);
  ASSERT_TRUE(waitFor([&] { return publicEntry(stream).value("title", "") == "元宵晚会"; }, 5000));
  EXPECT_EQ(publicEntry(stream)["starts_at"].get<std::int64_t>(), *startsAt * 1000);

  // An announcement post waits at +1 h: the start cannot move to or before it.
  ASSERT_EQ(edA.post("/api/v1/content/" + item + "/submit").status, 200);
  ASSERT_EQ(rev.post("/api/v1/content/" + item + "/approve").status, 200);
  r = edA.post("/api/v1/accounts", {{"name", "市A网站2"},
                                    {"platform", "website"},
                                    {"org_id", 2},
                                    {"settings", {{"url", "http://127.0.0.1:9/hook"}}}});
  ASSERT_EQ(r.status, 201) << r.text;
  r = edA.post("/api/v1/schedules", {{"item_id", std::stoll(item)},
                                     {"account_ids", {r.body["id"]}},
                                     {"times", {formatTime(now() + 3600)}}});
  ASSERT_EQ(r.status, 201) << r.text;
  r = edA.patch(path, {{"starts_at", formatTime(now() + 3000)}});
  ASSERT_EQ(r.status, 422) << r.text;
  EXPECT_EQ(r.errorCode(), "schedule.after_event_start");
  EXPECT_TRUE(r.body["error"]["fields"].contains("starts_at"));
  EXPECT_EQ(edA.patch(path, {{"starts_at", formatTime(now() + 4000)}}).status, 200);
  EXPECT_NE(announcementBody().find(newStart), std::string::npos) << "reviewed text is not rewritten";

  // The poster is public through the event (an anonymous browser loads it from the listing),
  // the rest of the media library is not.
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(300, 'p');
  const auto poster = uploadJpeg(edA, jpeg);
  const auto other = uploadJpeg(edA, jpeg);
  r = edA.patch(path, {{"poster_media_id", poster}});
  ASSERT_EQ(r.status, 200) << r.text;
  std::string url;
  ASSERT_TRUE(waitFor(
      [&] {
        url = publicEntry(stream).value("thumbnail_url", "");
        return url.find("/poster") != std::string::npos;
      },
      5000))
      << url;
  const std::string posterPath = url.substr(url.find("/api/v1/public/live-events/"));
  auto anonymous = hub().client();
  auto img = anonymous.get(posterPath);
  ASSERT_EQ(img.status, 200) << img.text;
  EXPECT_EQ(img.text, jpeg);
  EXPECT_EQ(img.header("content-type"), "image/jpeg");
  EXPECT_EQ(anonymous.get("/api/v1/media/" + std::to_string(other) + "/file").status, 401);
  auto plain = edA.post("/api/v1/live-events", event(2));
  ASSERT_EQ(plain.status, 201) << plain.text;
  EXPECT_EQ(anonymous.get("/api/v1/public/live-events/" + plain.body["id"].dump() + "/poster").status, 404)
      << "no poster";
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

// The bus is at most once: an announcement lost (here: its effect undone in SQL, as if it had
// never arrived) is caught up by the poll, which asks media for the stream's state.
TEST_P(LiveEventsApi, ALostAnnouncementIsCaughtUpByThePoll) {
  auto edA = hub().login("ed-a", "password-1");
  auto host = hub().login("host-a", "password-1");
  auto r = edA.post("/api/v1/live-events", event(2, 60));
  ASSERT_EQ(r.status, 201) << r.text;
  const auto id = r.body["id"].get<std::int64_t>();
  const std::string path = "/api/v1/live-events/" + std::to_string(id);
  const std::string key = host.get(path + "/ingest").body["stream_key"];
  auto state = [&] { return edA.get(path).body.value("state", ""); };
  auto setState = [&](const std::string& s) {
    ASSERT_TRUE(hub().db().exec("UPDATE cms_live_events SET state = ? WHERE id = ?", {s, id}));
  };
  auto polledMoves = [&] {
    auto rows = hub().db().query(
        "SELECT after_json FROM cms_audit WHERE action = 'live.state' AND object_id = ? ORDER BY id",
        {std::to_string(id)});
    std::vector<std::string> out;
    if (rows)
      for (const auto& row : *rows) {
        Json after = Json::parse(row.getString("after_json"));
        if (after.value("source", "") == "poll") out.push_back(after.value("state", ""));
      }
    return out;
  };

  test::Process ff(ffmpegPublishArgs(media_->rtmpPort(), key, 8), dir_.path() + "/ffmpeg.log");
  ASSERT_TRUE(waitFor([&] { return state() == "live"; }, 15000)) << state();
  setState("scheduled");  // "live" lost
  ASSERT_TRUE(waitFor([&] { return state() == "live"; }, 5000)) << "the poll saw the publisher: " << state();
  // (An announcement and a poll may share the first move; the repair can only be the poll's.)
  ASSERT_FALSE(polledMoves().empty());
  EXPECT_EQ(polledMoves().back(), "live");

  // The publisher leaves; once the recording is in (no announcement is due any more), "ended" is
  // lost the same way.
  ASSERT_TRUE(waitFor([&] { return state() == "replay_available"; }, 30000)) << state();
  setState("live");  // "ended" lost
  ASSERT_TRUE(waitFor([&] { return state() == "ended"; }, 5000)) << "the poll saw no publisher: " << state();
  EXPECT_EQ(polledMoves().back(), "ended");
}

HUB_CMS_BACKENDS(LiveEventsApi);

}  // namespace
}  // namespace hub::cms::testing
