// tests/integration/chat_moderation_test.cpp
//
// Chat moderation as clients see it: the rules on sends (length, filter, rate), deletes that stay
// deleted in history, mute and ban by moderators over HTTP and over /ws, and the moderation log;
// word lists edited over HTTP while clients chat; moderator tokens bound to one room.
#include "tests/integration/chat_fixture.h"

namespace hub::test {
namespace {

using namespace std::chrono_literals;

TEST_F(ChatTest, DeletedMessagesStayDeletedForResumingAndJoiningClients) {
  start();
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  for (const char* t : {"keep", "secret", "after"}) {
    a->send({{"op", "send"}, {"room", "gala"}, {"text", t}});
    ASSERT_TRUE(a->until("message"));
  }
  auto del = api("DELETE", "/api/v1/rooms/gala/messages/2");
  ASSERT_TRUE(del);
  ASSERT_EQ(del->status, 204) << del->body;
  ASSERT_TRUE(a->until("deleted"));

  // Resuming with since, and joining without since (join history), give the tombstone in the
  // message's place, never its text.
  for (std::optional<std::uint64_t> since :
       {std::optional<std::uint64_t>(0), std::optional<std::uint64_t>()}) {
    ChatClient c(port());
    c.hello(token("carol", auth::Role::User, 3));
    auto j = c.join("gala", since);
    EXPECT_EQ(j["last_id"], 3);
    std::vector<json> got;
    for (int i = 0; i < 3; ++i) {
      auto e = c.next();
      ASSERT_TRUE(e);
      got.push_back(*e);
    }
    EXPECT_EQ(got[0]["text"], "keep");
    EXPECT_EQ(got[1], (json{{"type", "deleted"}, {"room", "gala"}, {"id", 2}}));
    EXPECT_EQ(got[2]["text"], "after");
    for (const auto& e : got) EXPECT_EQ(e.dump().find("secret"), std::string::npos) << e;
  }
}

TEST_F(ChatTest, ModeratorsModerateOverTheWebSocketOthersAreForbidden) {
  start();
  createRoom("gala");
  auto mod = member("gala", "mia", auth::Role::Moderator, 77);
  auto a = member("gala", "alice", auth::Role::User, 1);
  auto b = member("gala", "bob", auth::Role::User, 2);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "spam"}});
  auto m = b->until("message");
  ASSERT_TRUE(m);
  const auto id = (*m)["id"].get<std::uint64_t>();

  // A user (and a guest) may not.
  for (const json& op : {json{{"op", "delete"}, {"room", "gala"}, {"id", id}},
                         json{{"op", "mute"}, {"room", "gala"}, {"user_id", 2}, {"seconds", 60}},
                         json{{"op", "ban"}, {"room", "gala"}, {"user_id", 2}},
                         json{{"op", "slow"}, {"room", "gala"}, {"seconds", 5}}}) {
    a->send(op);
    auto e = a->until("error");
    ASSERT_TRUE(e) << op;
    EXPECT_EQ((*e)["code"], "chat.forbidden") << op;
  }
  auto guest = member("gala", "g", auth::Role::Guest, -5);
  guest->send({{"op", "delete"}, {"room", "gala"}, {"id", id}});
  EXPECT_EQ((*guest->until("error"))["code"], "chat.forbidden");

  // The moderator deletes: everyone gets the tombstone, the moderator an acknowledgement.
  mod->send({{"op", "delete"}, {"room", "gala"}, {"id", id}});
  auto tomb = b->until("deleted");
  ASSERT_TRUE(tomb);
  EXPECT_EQ((*tomb)["id"], id);
  auto ack = mod->until("moderated");
  ASSERT_TRUE(ack);
  EXPECT_EQ(*ack, (json{{"type", "moderated"}, {"room", "gala"}, {"action", "delete"}}));

  // Mute alice for a minute: everyone sees it, her next message is refused.
  mod->send({{"op", "mute"}, {"room", "gala"}, {"user_id", 1}, {"seconds", 60}});
  auto muted = b->until("muted");
  ASSERT_TRUE(muted);
  EXPECT_EQ((*muted)["user_id"], 1);
  ASSERT_TRUE(mod->until("moderated"));
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "still here"}});
  auto refused = a->until("error");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "chat.muted");
  EXPECT_EQ((*refused)["room"], "gala");
  EXPECT_EQ((*refused)["until"], (*muted)["until"]);  // the client can say until when

  // Slow mode, then bad values and an unknown room.
  mod->send({{"op", "slow"}, {"room", "gala"}, {"seconds", 30}});
  ASSERT_EQ((*mod->until("moderated"))["action"], "slow_mode");
  mod->send({{"op", "slow"}, {"room", "gala"}, {"seconds", 601}});
  EXPECT_EQ((*mod->until("error"))["code"], "chat.bad_request");
  mod->send({{"op", "mute"}, {"room", "gala"}, {"user_id", 1}, {"seconds", -1}});
  EXPECT_EQ((*mod->until("error"))["code"], "chat.bad_request");
  mod->send({{"op", "ban"}, {"room", "nowhere"}, {"user_id", 2}});
  EXPECT_EQ((*mod->until("error"))["code"], "room.not_found");
  mod->send({{"op", "ban"}, {"room", "gala"}});
  EXPECT_EQ((*mod->until("error"))["code"], "chat.bad_request");

  // Ban bob: closed with 4003.
  mod->send({{"op", "ban"}, {"room", "gala"}, {"user_id", 2}});
  EXPECT_EQ(b->closeCode(), 4003);

  // The same log as the HTTP routes, with the moderator's name.
  auto log = api("GET", "/api/v1/rooms/gala/moderation");
  ASSERT_TRUE(log);
  ASSERT_EQ(log->status, 200);
  auto entries = json::parse(log->body)["entries"];
  ASSERT_EQ(entries.size(), 4u) << entries;
  EXPECT_EQ(entries[0]["action"], "ban");
  EXPECT_EQ(entries[0]["user_id"], 2);
  EXPECT_EQ(entries[1]["action"], "slow_mode");
  EXPECT_EQ(entries[2]["action"], "mute");
  EXPECT_EQ(entries[3]["action"], "delete");
  EXPECT_EQ(entries[3]["message_id"], id);
  for (const auto& e : entries) EXPECT_EQ(e["moderator"], "mia");
}

TEST_F(ChatTest, ModerationRulesTooLongFilteredRateLimited) {
  TempDir dir;
  {
    std::ofstream words(dir.path() + "/block.txt");
    words << "badword\n";
  }
  start({"--chat-words-block", dir.path() + "/block.txt", "--chat-rate-burst", "2", "--chat-rate-per-minute",
         "1"});
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", std::string(201, 'x')}});
  auto tooLong = a->until("error");
  ASSERT_TRUE(tooLong);
  EXPECT_EQ((*tooLong)["code"], "chat.too_long");
  EXPECT_EQ((*tooLong)["limit"], 200);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "this has a ＢＡＤWORD in it"}});
  auto filtered = a->until("error");
  ASSERT_TRUE(filtered);
  EXPECT_EQ((*filtered)["code"], "chat.filtered");
  EXPECT_EQ((*filtered)["room"], "gala");
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "one"}});
  EXPECT_TRUE(a->until("message"));
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "two"}});
  EXPECT_TRUE(a->until("message"));
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "three"}});
  auto limited = a->until("error");
  ASSERT_TRUE(limited);
  EXPECT_EQ((*limited)["code"], "chat.rate_limited");
  EXPECT_EQ((*limited)["room"], "gala");
  // One message a minute refills: the wait is most of a minute, told in milliseconds.
  EXPECT_GT((*limited)["retry_after_ms"].get<long long>(), 50'000);
  EXPECT_LE((*limited)["retry_after_ms"].get<long long>(), 60'000);
  auto metrics = TestClient("127.0.0.1", port()).request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("hub_chat_filter_hits_total 1"), std::string::npos);
}

TEST_F(ChatTest, MuteDeleteAndBanByModeratorsAreLogged) {
  start();
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  auto b = member("gala", "bob", auth::Role::User, 2);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "spam"}});
  auto m = b->until("message");
  ASSERT_TRUE(m);
  auto del = api("POST", "/api/v1/rooms/gala/moderation",
                 json{{"action", "delete"}, {"message_id", (*m)["id"]}, {"moderator", "mod1"}}.dump());
  ASSERT_TRUE(del);
  EXPECT_EQ(del->status, 200) << del->body;
  auto tomb = b->until("deleted");
  ASSERT_TRUE(tomb);
  EXPECT_EQ(*tomb, (json{{"type", "deleted"}, {"room", "gala"}, {"id", (*m)["id"]}}));

  // Deleting by URL does the same.
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "more spam"}});
  auto m2 = b->until("message");
  ASSERT_TRUE(m2);
  auto del2 = api("DELETE", "/api/v1/rooms/gala/messages/" + std::to_string((*m2)["id"].get<int>()));
  ASSERT_TRUE(del2);
  EXPECT_EQ(del2->status, 204) << del2->body;
  auto tomb2 = b->until("deleted");
  ASSERT_TRUE(tomb2);
  EXPECT_EQ((*tomb2)["id"], (*m2)["id"]);

  auto mute = api("POST", "/api/v1/rooms/gala/moderation",
                  json{{"action", "mute"}, {"user_id", 1}, {"seconds", 60}}.dump());
  ASSERT_TRUE(mute);
  EXPECT_EQ(mute->status, 200) << mute->body;
  auto muted = b->until("muted");
  ASSERT_TRUE(muted);
  EXPECT_EQ((*muted)["user_id"], 1);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "still here"}});
  EXPECT_EQ((*a->until("error"))["code"], "chat.muted");

  auto ban = api("POST", "/api/v1/rooms/gala/moderation", json{{"action", "ban"}, {"user_id", 2}}.dump());
  ASSERT_TRUE(ban);
  EXPECT_EQ(ban->status, 200) << ban->body;
  EXPECT_EQ(b->closeCode(), 4003);
  ChatClient again(port());
  again.hello(token("bob", auth::Role::User, 2));
  again.send({{"op", "join"}, {"room", "gala"}});
  EXPECT_EQ(again.closeCode(), 4003);

  auto log = api("GET", "/api/v1/rooms/gala/moderation");
  ASSERT_TRUE(log);
  ASSERT_EQ(log->status, 200);
  auto entries = json::parse(log->body)["entries"];
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0]["action"], "ban");
  EXPECT_EQ(entries[1]["action"], "mute");
  EXPECT_EQ(entries[2]["action"], "delete");
  EXPECT_EQ(entries[3]["action"], "delete");
  EXPECT_EQ(entries[3]["moderator"], "mod1");
  // Without the admin token: refused.
  TestClient anon("127.0.0.1", port());
  EXPECT_EQ(anon.request("GET", "/api/v1/rooms/gala/moderation")->status, 401);
}

TEST_F(ChatTest, WordListsEditedOverHttpApplyWithoutARestart) {
  start();
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "含禁词的 bad news"}});
  auto before = a->until("message");
  ASSERT_TRUE(before);
  EXPECT_EQ((*before)["text"], "含禁词的 bad news");

  const json lists = {{"lists",
                       {{{"name", "politics"}, {"kind", "block"}, {"words", {"禁词"}}},
                        {{"name", "rude"}, {"kind", "mask"}, {"words", {"bad", "bad"}}}}}};
  auto put = api("PUT", "/api/v1/chat/words", lists.dump());
  ASSERT_TRUE(put);
  ASSERT_EQ(put->status, 200) << put->body;
  auto stored = json::parse(put->body)["lists"];
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1]["words"], json({"bad"}));  // duplicates kept once
  EXPECT_EQ(stored[1]["updated_by"], "admin");

  // The same connection, no restart: refused, then masked (case folded).
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "含禁词的"}});
  EXPECT_EQ((*a->until("error"))["code"], "chat.filtered");
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "a BAD day"}});
  auto masked = a->until("message");
  ASSERT_TRUE(masked);
  EXPECT_EQ((*masked)["text"], "a *** day");

  // Bad input: a clear 400, and nothing changes.
  for (const std::string& body :
       {std::string("{not json"),
        std::string("{\"lists\":[{\"name\":\"x\",\"kind\":\"block\",\"words\":[\"\xff\"]}]}"),
        json{{"lists", {{{"name", "x"}, {"kind", "block"}, {"words", {""}}}}}}.dump(),
        json{{"lists", {{{"name", "x"}, {"kind", "block"}, {"words", {std::string(33, 'w')}}}}}}.dump(),
        json{{"lists", {{{"name", "x"}, {"kind", "shout"}, {"words", {"w"}}}}}}.dump(),
        json{{"lists", {{{"name", "Bad Name"}, {"kind", "mask"}, {"words", {"w"}}}}}}.dump(),
        json{{"lists",
              {{{"name", "x"}, {"kind", "mask"}, {"words", json(std::vector<std::string>(2001, "w"))}}}}}
            .dump()}) {
    auto r = api("PUT", "/api/v1/chat/words", body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << body.substr(0, 80) << " " << r->body;
    EXPECT_NE(r->body.find("words.invalid"), std::string::npos) << r->body;
  }
  auto get = api("GET", "/api/v1/chat/words");
  ASSERT_TRUE(get);
  ASSERT_EQ(get->status, 200);
  EXPECT_EQ(json::parse(get->body)["lists"], stored);
  TestClient anon("127.0.0.1", port());
  EXPECT_EQ(anon.request("PUT", "/api/v1/chat/words", "", lists.dump())->status, 401);
}

TEST_F(ChatTest, ARoomBoundModeratorModeratesItsRoomOnly) {
  start();
  createRoom("gala-a");
  createRoom("gala-b");
  auth::TokenClaims claims;
  claims.userId = 77;
  claims.name = "mia";
  claims.role = auth::Role::Moderator;
  claims.expires =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() +
      600;
  claims.room = "gala-a";
  ChatClient mod(port());
  ASSERT_EQ(mod.hello(auth::signToken(claims, kSecret))["type"], "welcome");
  ASSERT_EQ(mod.join("gala-a")["type"], "joined");
  ASSERT_EQ(mod.join("gala-b")["type"], "joined");  // joining another room works, as a user
  auto a = member("gala-a", "alice", auth::Role::User, 1);
  auto b = member("gala-b", "bob", auth::Role::User, 2);
  a->send({{"op", "send"}, {"room", "gala-a"}, {"text", "in a"}});
  auto inA = a->until("message");
  b->send({{"op", "send"}, {"room", "gala-b"}, {"text", "in b"}});
  auto inB = b->until("message");
  ASSERT_TRUE(inA && inB);

  // Every moderator op in the other room: chat.forbidden, and bob's message is still there.
  for (const json& op : {json{{"op", "delete"}, {"room", "gala-b"}, {"id", (*inB)["id"]}},
                         json{{"op", "mute"}, {"room", "gala-b"}, {"user_id", 2}, {"seconds", 60}},
                         json{{"op", "ban"}, {"room", "gala-b"}, {"user_id", 2}},
                         json{{"op", "slow"}, {"room", "gala-b"}, {"seconds", 5}}}) {
    mod.send(op);
    auto e = mod.until("error");
    ASSERT_TRUE(e) << op;
    EXPECT_EQ((*e)["code"], "chat.forbidden") << op;
  }
  // Sending there works, shown as a user's message.
  mod.send({{"op", "send"}, {"room", "gala-b"}, {"text", "hello b"}});
  auto fromMod = b->until("message");
  ASSERT_TRUE(fromMod);
  EXPECT_EQ((*fromMod)["user"]["role"], "user") << *fromMod;
  b->send({{"op", "send"}, {"room", "gala-b"}, {"text", "still here"}});
  EXPECT_TRUE(b->until("message"));

  // In its own room the token moderates.
  mod.send({{"op", "delete"}, {"room", "gala-a"}, {"id", (*inA)["id"]}});
  auto tomb = a->until("deleted");
  ASSERT_TRUE(tomb);
  EXPECT_EQ((*tomb)["id"], (*inA)["id"]);
  auto log = api("GET", "/api/v1/rooms/gala-b/moderation");
  ASSERT_TRUE(log);
  EXPECT_EQ(json::parse(log->body)["entries"].size(), 0u);
}

}  // namespace
}  // namespace hub::test
