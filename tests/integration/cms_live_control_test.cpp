// tests/integration/cms_live_control_test.cpp
//
// The studio's control room routes (cms/live/live_health_routes.h) against a real media service
// in the same process, on SQLite and MariaDB, while ffmpeg publishes: the health history
// (bitrate, fps, key-frame interval) for the host, moderator and editor of the event's city,
// 403 for its reviewer, 404 for another city's host; the event's chat token (moderator for the
// host and the moderator, user for the editor, bound to the event's room); ending the broadcast
// (hosts only) rotates the key and the event ends. Chat activity announced on the bus becomes
// messages and likes per minute. The chat's word lists: read by hosts and moderators, replaced
// by moderators (CSRF checked, bad input refused, audited).
// The live-event analytics: a viewer's play, watch time and peak, likes and messages, in scope;
// once the event has ended, a play of its recording counts as a replay play. Hold and start: a
// held stream plays only for the control room's token.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "cms/api/time.h"
#include "cms/tests/support/cms_harness.h"
#include "core/auth/token.h"
#include "core/bus/bus.h"
#include "core/service/chat_activity.h"
#include "media/service/media_service.h"
#include "tests/integration/media_test_util.h"
#include "tests/support/fixtures.h"

namespace hub::cms::testing {
namespace {

using auth::Role;
using test::ffmpegPublishArgs;
using test::waitFor;

class LiveControlRoomApi : public CmsApiTest {
 protected:
  void SetUp() override {
    harness_ = std::make_unique<CmsHarness>(GetParam(), [this](config::Config& c) {
      c.data.dir = dir_.path();
      c.rtmp.listen = config::HostPort{"127.0.0.1", 0};
      c.rtmp.publicUrl = "rtmp://127.0.0.1/live";
      c.media.demo = false;
      c.media.healthIntervalSeconds = 1;
      c.transcode.ladder = {};  // the source only: no encoding on a loaded test host
      c.hls.graceSeconds = 1;
      c.record.exportMp4 = false;
      c.cms.livePollSeconds = 1;
    });
    auto media = std::make_unique<media::service::MediaService>();
    media_ = media.get();
    harness_->addService(std::move(media));
    ASSERT_TRUE(harness_->start());
    hub().createOrg(1, 0, "省总工会");
    hub().createOrg(2, 1, "市A");
    hub().createOrg(3, 1, "市B");
    hub().createUser("ed-a", "password-1", {{Role::Editor, 2}}, 2);
    hub().createUser("host-a", "password-1", {{Role::Host, 2}}, 2);
    hub().createUser("mod-a", "password-1", {{Role::Moderator, 2}}, 2);
    hub().createUser("rev-a", "password-1", {{Role::Reviewer, 2}}, 2);
    hub().createUser("host-b", "password-1", {{Role::Host, 3}}, 3);
  }

  std::int64_t now() {
    return std::chrono::duration_cast<std::chrono::seconds>(hub().clock().wall().time_since_epoch()).count();
  }

  test::TempDir dir_;
  media::service::MediaService* media_ = nullptr;
};

TEST_P(LiveControlRoomApi, HealthHistoryChatTokenAndEndWithScopes) {
  auto edA = hub().login("ed-a", "password-1");
  auto host = hub().login("host-a", "password-1");
  auto mod = hub().login("mod-a", "password-1");
  auto rev = hub().login("rev-a", "password-1");
  auto hostB = hub().login("host-b", "password-1");
  auto r = edA.post("/api/v1/live-events", {{"title", "职工春晚"},
                                            {"org_id", 2},
                                            {"starts_at", formatTime(now() + 60)},
                                            {"ends_at", formatTime(now() + 7200)}});
  ASSERT_EQ(r.status, 201) << r.text;
  const std::string path = "/api/v1/live-events/" + r.body["id"].dump();
  const std::string key = host.get(path + "/ingest").body["stream_key"];
  ASSERT_FALSE(key.empty());

  // Scopes: another city's host does not see the event; a reviewer of the city may not work
  // its control room.
  for (const char* sub : {"/health", "/chat-token", "/end"}) {
    auto out = std::string(sub) == "/health" ? hostB.get(path + sub) : hostB.post(path + sub);
    EXPECT_EQ(out.status, 404) << sub << " " << out.text;
    out = std::string(sub) == "/health" ? rev.get(path + sub) : rev.post(path + sub);
    EXPECT_EQ(out.status, 403) << sub << " " << out.text;
  }
  EXPECT_EQ(host.get(path + "/health?since=soon").status, 422);

  // Before the publish: no live sample.
  auto h = host.get(path + "/health");
  ASSERT_EQ(h.status, 200) << h.text;
  EXPECT_FALSE(h.body["live"].get<bool>());

  // ffmpeg publishes 1 s GOPs: media's sampler records live samples with the key-frame interval.
  test::Process ff(ffmpegPublishArgs(media_->rtmpPort(), key, 30), dir_.path() + "/ffmpeg.log");
  Json last;
  ASSERT_TRUE(waitFor(
      [&] {
        auto got = mod.get(path + "/health");
        if (got.status != 200 || got.body["samples"].empty()) return false;
        last = got.body["samples"].back();
        return last["live"].get<bool>() && last["fps"].get<double>() > 0 &&
               last["keyframe_interval_seconds"].get<double>() > 0 &&
               last["bitrate_in"].get<std::int64_t>() > 0;
      },
      20000))
      << last.dump();
  EXPECT_NEAR(last["keyframe_interval_seconds"].get<double>(), 1.0, 0.5) << last.dump();
  h = edA.get(path + "/health");
  ASSERT_EQ(h.status, 200) << h.text;
  EXPECT_TRUE(h.body["live"].get<bool>());
  const auto& samples = h.body["samples"];
  for (std::size_t i = 1; i < samples.size(); ++i)
    EXPECT_LE(samples[i - 1]["at_ms"].get<std::int64_t>(), samples[i]["at_ms"].get<std::int64_t>())
        << "oldest first";
  // `since` after the newest sample: nothing.
  h = edA.get(path + "/health?since=" + std::to_string(last["at_ms"].get<std::int64_t>() + 1));
  ASSERT_EQ(h.status, 200) << h.text;
  EXPECT_TRUE(h.body["samples"].empty()) << h.text;

  // Chat activity (what chat nodes announce on the bus): two nodes' messages summed per minute,
  // likes per minute from the growth of the room's total.
  const std::string stream = r.body["stream"];
  const std::int64_t m0 = (last["at_ms"].get<std::int64_t>() / 60000 - 2) * 60000;
  auto announce = [&](const std::string& node, std::int64_t minute, int messages, int likes) {
    Json a = {{"node", node},
              {"minute_ms", minute},
              {"rooms", {{{"room", stream}, {"messages", messages}, {"likes_total", likes}}}}};
    ASSERT_TRUE(hub().ctx().base.bus.publish(service::kChatActivityTopic, a.dump()));
  };
  announce("node-a", m0, 2, 10);
  announce("node-a", m0, 3, 12);  // later in the same minute: the larger count wins
  announce("node-a", m0, 1, 11);  // an older announcement stored late changes nothing
  announce("node-b", m0, 4, 12);
  announce("node-a", m0 + 60000, 1, 20);
  Json chat;
  ASSERT_TRUE(waitFor(
      [&] {
        chat = host.get(path + "/health?since=" + std::to_string(m0)).body["chat"];
        // Stored on the worker pool in any order: every order must end at these counts.
        return chat.size() == 2 && chat[0]["messages"] == 7 && chat[1]["messages"] == 1;
      },
      5000))
      << chat.dump();
  EXPECT_EQ(chat[0]["minute_ms"], m0);
  EXPECT_EQ(chat[0]["messages"], 7);
  EXPECT_EQ(chat[1]["likes"], 8);

  // Analytics (cms/analytics/live_analytics.h): a viewer plays the stream; media's playback
  // session becomes a play with watch time and a peak, next to the chat's likes and messages.
  auto viewer = hub().client();
  auto master =
      viewer.request("GET", "/live/" + stream + "/master.m3u8", "", "User-Agent: analytics-viewer\r\n");
  ASSERT_EQ(master.status, 200) << master.text;
  auto query = [&](std::int64_t t) {
    std::string s = formatTime(t);
    return s.replace(s.find('+'), 1, "%2B");
  };
  const std::string range = "?from=" + query(now() - 86400) + "&to=" + query(now() + 86400);
  Json row;
  ASSERT_TRUE(waitFor(
      [&] {
        // The player keeps polling its playlist: the session's watch time grows.
        viewer.request("GET", "/live/" + stream + "/source/index.m3u8", "",
                       "User-Agent: analytics-viewer\r\n");
        auto got = edA.get("/api/v1/analytics/live-events" + range);
        if (got.status != 200 || got.body["events"].size() != 1) return false;
        row = got.body["events"][0];
        return row["plays"] == 1 && row["watch_ms"].get<std::int64_t>() > 0 &&
               row["peak_viewers"].get<std::int64_t>() >= 1;
      },
      15000))
      << row.dump();
  EXPECT_EQ(row["event_id"], r.body["id"]);
  EXPECT_EQ(row["messages"], 8);
  EXPECT_EQ(row["likes"], 20);
  auto byB = hostB.get("/api/v1/analytics/live-events" + range);
  ASSERT_EQ(byB.status, 200) << byB.text;
  EXPECT_TRUE(byB.body["events"].empty()) << "another city's event";
  EXPECT_EQ(edA.get("/api/v1/analytics/live-events" + range + "&org=3").status, 404);
  EXPECT_EQ(edA.get("/api/v1/analytics/live-events?from=soon&to=later").status, 422);
  const std::string detailPath = "/api/v1/analytics/live-events/" + r.body["id"].dump();
  EXPECT_EQ(hostB.get(detailPath).status, 404);
  auto detail = rev.get(detailPath);  // a reviewer of the city reads the figures too
  ASSERT_EQ(detail.status, 200) << detail.text;
  EXPECT_EQ(detail.body["plays"], 1);
  ASSERT_EQ(detail.body["sessions"].size(), 1u) << detail.text;
  ASSERT_FALSE(detail.body["viewers"].empty()) << detail.text;
  EXPECT_GE(detail.body["viewers"].back()["viewers"].get<std::int64_t>(), 0);
  EXPECT_EQ(detail.body["chat"].size(), 2u) << detail.text;

  // The chat token of the event's room: moderator for its host and moderator, user for the editor.
  auto verify = [&](CmsClient& c) {
    auto t = c.post(path + "/chat-token");
    EXPECT_EQ(t.status, 200) << t.text;
    auto claims = hub::auth::verifyToken(t.body.value("token", ""), hub().authSecret(), hub().clock());
    EXPECT_TRUE(claims) << t.text;
    if (claims) {
      EXPECT_FALSE(claims->room.empty());
      EXPECT_EQ(claims->room, t.body.value("room", "")) << t.text;
    }
    return claims ? std::string(hub::auth::roleName(claims->role)) : "";
  };
  EXPECT_EQ(verify(host), "moderator");
  EXPECT_EQ(verify(mod), "moderator");
  EXPECT_EQ(verify(edA), "user");

  // A rehearsal: the host holds the stream; the audience gets 403 stream.held, the control
  // room's preview (its chat token) still plays; start releases it. Hosts only; audited.
  const std::string ua = "User-Agent: analytics-viewer\r\n";  // the same viewer as above
  EXPECT_EQ(edA.post(path + "/hold").status, 403);
  EXPECT_EQ(hostB.post(path + "/hold").status, 404);
  auto hold = host.post(path + "/hold");
  ASSERT_EQ(hold.status, 200) << hold.text;
  EXPECT_EQ(hold.body["held"], true);
  EXPECT_EQ(host.get(path + "/ingest").body["held"], true);
  const std::string previewToken = host.post(path + "/chat-token").body.value("token", "");
  ASSERT_TRUE(waitFor(
      [&] { return viewer.request("GET", "/live/" + stream + "/master.m3u8", "", ua).status == 403; }, 5000));
  EXPECT_EQ(viewer.request("GET", "/live/" + stream + "/master.m3u8", "", ua).errorCode(), "stream.held");
  EXPECT_EQ(viewer
                .request("GET", "/live/" + stream + "/master.m3u8", "",
                         ua + "X-Hub-Preview: " + previewToken + "\r\n")
                .status,
            200);
  auto start = host.post(path + "/start");
  ASSERT_EQ(start.status, 200) << start.text;
  EXPECT_EQ(start.body["held"], false);
  ASSERT_TRUE(waitFor(
      [&] { return viewer.request("GET", "/live/" + stream + "/master.m3u8", "", ua).status == 200; }, 5000));
  auto audited = hub().db().query(
      "SELECT action FROM cms_audit WHERE action IN ('live.hold', 'live.start') AND object_id = ? ORDER BY "
      "id",
      {r.body["id"].dump()});
  ASSERT_TRUE(audited);
  ASSERT_EQ(audited->size(), 2u);
  EXPECT_EQ((*audited)[0].getString("action"), "live.hold");

  // Ending: not for the editor; the host's end rotates the key, the publisher is cut and the
  // event ends; audited.
  EXPECT_EQ(edA.post(path + "/end").status, 403);
  auto end = host.post(path + "/end");
  ASSERT_EQ(end.status, 200) << end.text;
  EXPECT_NE(host.get(path + "/ingest").body.value("stream_key", ""), key);
  ASSERT_TRUE(waitFor([&] { return edA.get(path).body.value("state", "") == "ended"; }, 15000))
      << edA.get(path).text;
  auto rows =
      hub().db().query("SELECT COUNT(*) AS n FROM cms_audit WHERE action = 'live.end' AND object_id = ?",
                       {r.body["id"].dump()});
  ASSERT_TRUE(rows);
  EXPECT_EQ((*rows)[0].getInt("n"), 1);
  EXPECT_EQ(host.post(path + "/end").status, 409);

  // The recording of the broadcast is a replay: its plays and watch time count apart from the
  // live ones; its thumbnail is not a play.
  Json recording;
  ASSERT_TRUE(waitFor(
      [&] {
        auto list = viewer.get("/api/v1/public/recordings");
        if (list.status != 200) return false;
        for (const auto& rec : list.body["recordings"])
          if (rec["stream"] == stream) recording = rec;
        return !recording.is_null();
      },
      20000));
  const std::string vod = "/vod/" + recording["id"].get<std::string>();
  for (const std::string file : {"/master.m3u8", "/source/index.m3u8"}) {
    auto got = viewer.request("GET", vod + file, "", "User-Agent: replay-viewer\r\n");
    ASSERT_EQ(got.status, 200) << file << " " << got.text;
  }
  Json replayed;
  ASSERT_TRUE(waitFor(
      [&] {
        viewer.request("GET", vod + "/source/index.m3u8", "", "User-Agent: replay-viewer\r\n");
        replayed = edA.get(detailPath).body;
        return replayed["replay_plays"] == 1 && replayed["replay_watch_ms"].get<std::int64_t>() > 0;
      },
      15000))
      << replayed.dump();
  EXPECT_EQ(replayed["plays"], 1) << "live plays stay as they were";
  ASSERT_EQ(replayed["replays"].size(), 1u) << replayed.dump();
  EXPECT_EQ(replayed["replays"][0]["recording"], recording["id"]);
  auto listed = edA.get("/api/v1/analytics/live-events" + range);
  ASSERT_EQ(listed.status, 200) << listed.text;
  EXPECT_EQ(listed.body["totals"]["replay_plays"], 1) << listed.text;
}

TEST_P(LiveControlRoomApi, WordListsReadByHostsReplacedByModeratorsAudited) {
  auto mod = hub().login("mod-a", "password-1");
  auto host = hub().login("host-a", "password-1");
  auto edA = hub().login("ed-a", "password-1");
  const Json lists = {{"lists",
                       {{{"name", "politics"}, {"kind", "block"}, {"words", {"禁词", "敏感"}}},
                        {{"name", "rude"}, {"kind", "mask"}, {"words", {"bad"}}}}}};
  EXPECT_EQ(host.put("/api/v1/moderation/words", lists).status, 403);
  EXPECT_EQ(edA.get("/api/v1/moderation/words").status, 403);
  mod.setSendCsrf(false);
  EXPECT_EQ(mod.put("/api/v1/moderation/words", lists).errorCode(), "auth.csrf");
  mod.setSendCsrf(true);
  auto put = mod.put("/api/v1/moderation/words", lists);
  ASSERT_EQ(put.status, 200) << put.text;
  auto got = host.get("/api/v1/moderation/words");
  ASSERT_EQ(got.status, 200) << got.text;
  ASSERT_EQ(got.body["lists"].size(), 2u);
  EXPECT_EQ(got.body["lists"][0]["words"], Json({"禁词", "敏感"}));
  EXPECT_EQ(got.body["lists"][0]["updated_by"], "mod-a");

  // Bad input: 400 words.invalid, nothing stored.
  for (const std::string& body :
       {std::string(R"({"lists":[{"name":"x","kind":"block","words":[""]}]})"),
        std::string("{\"lists\":[{\"name\":\"x\",\"kind\":\"block\",\"words\":[\"\xe7\x9b\"]}]}"),
        std::string(R"({"lists":[{"name":"x","kind":"block","words":["a\u0007b"]}]})"),
        std::string("[1,2")}) {
    auto r = mod.request("PUT", "/api/v1/moderation/words", body);
    EXPECT_EQ(r.status, 400) << body << " " << r.text;
    EXPECT_EQ(r.errorCode(), "words.invalid") << r.text;
  }
  EXPECT_EQ(host.get("/api/v1/moderation/words").body["lists"], got.body["lists"]);

  // Removing one word and a list: audited with what was added and removed.
  auto second =
      mod.put("/api/v1/moderation/words",
              {{"lists", {{{"name", "politics"}, {"kind", "block"}, {"words", {"敏感", "新词"}}}}}});
  ASSERT_EQ(second.status, 200) << second.text;
  auto rows = hub().db().query(
      "SELECT before_json, after_json FROM cms_audit WHERE action = 'moderation.words' ORDER BY id DESC");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  const auto before = Json::parse((*rows)[0].getString("before_json"));
  const auto after = Json::parse((*rows)[0].getString("after_json"));
  EXPECT_EQ(after["added"]["politics"]["words"], Json({"新词"})) << after.dump();
  EXPECT_EQ(before["removed"]["politics"]["words"], Json({"禁词"})) << before.dump();
  EXPECT_TRUE(before["removed"].contains("rude")) << before.dump();
}

HUB_CMS_BACKENDS(LiveControlRoomApi);

}  // namespace
}  // namespace hub::cms::testing
