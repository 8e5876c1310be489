// tests/integration/chat_test.cpp
//
// The chat service as a browser sees it: a real `hub serve` and raw WebSocket clients. Hello
// (timeout 4001, bad/expired/forged tokens), roles, join/send/receive, since-recovery, likes
// aggregation, the per-address cap, Origin, 1009/1007, and a slow consumer closed with 4008.
// Moderation is in chat_moderation_test.cpp.
#include "tests/integration/chat_fixture.h"

namespace hub::test {
namespace {

using namespace std::chrono_literals;

TEST_F(ChatTest, NoHelloInTimeIsClosed4001) {
  start({"--chat-hello-timeout", "1"});
  ChatClient c(port());
  ASSERT_EQ(c.status(), 101);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(c.closeCode(5s), 4001);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
}

// Each silent connection gets its own full timeout, whoever opened before it; a welcomed one
// opened first stays.
TEST_F(ChatTest, EachSilentConnectionGetsItsOwnHelloTimeout) {
  start({"--chat-hello-timeout", "1"});
  ChatClient welcomed(port());
  ASSERT_EQ(welcomed.hello(token("alice", auth::Role::User, 7))["type"], "welcome");
  ChatClient first(port());
  ASSERT_EQ(first.status(), 101);
  auto t0 = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(700ms);
  ChatClient second(port());
  ASSERT_EQ(second.status(), 101);
  auto t1 = std::chrono::steady_clock::now();
  EXPECT_EQ(first.closeCode(5s), 4001);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 900ms);
  auto quietUntil = t1 + 850ms;  // nothing for the second before its own timeout
  if (auto now = std::chrono::steady_clock::now(); now < quietUntil) {
    EXPECT_FALSE(second.next(std::chrono::duration_cast<std::chrono::milliseconds>(quietUntil - now)));
  }
  EXPECT_EQ(second.closeCode(5s), 4001);
  EXPECT_GE(std::chrono::steady_clock::now() - t1, 900ms);
  welcomed.send({{"op", "ping"}});
  auto pong = welcomed.until("pong");
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["type"], "pong");
}

TEST_F(ChatTest, BadExpiredAndForgedTokensAreAuthInvalid) {
  start();
  ChatClient c(port());
  ASSERT_EQ(c.status(), 101);
  auto bad = c.hello("not-a-token");
  EXPECT_EQ(bad["type"], "error");
  EXPECT_EQ(bad["code"], "auth.invalid");
  auto expired = c.hello(token("old", auth::Role::User, 5, -10));
  EXPECT_EQ(expired["code"], "auth.invalid");
  auth::TokenClaims forged{6, "mallory", auth::Role::Admin, 4102444800, ""};
  auto f = c.hello(auth::signToken(forged, "some-other-secret-value"));
  EXPECT_EQ(f["code"], "auth.invalid");
  c.send({{"op", "join"}, {"room", "x"}});  // before a good hello: refused
  EXPECT_EQ((*c.next())["code"], "auth.invalid");
  auto ok = c.hello(token("alice", auth::Role::User, 7));
  EXPECT_EQ(ok["type"], "welcome");
  EXPECT_EQ(ok["user"], (json{{"id", 7}, {"name", "alice"}, {"role", "user"}}));
  EXPECT_EQ(ok["limits"], (json{{"max_text", 200}, {"likes_per_second", 20}, {"rooms", 16}}));
}

TEST_F(ChatTest, GuestTokenFromTheApiCanWatchButNotSend) {
  start({"--chat-guest-tokens-per-minute", "2"});
  createRoom("gala");
  TestClient http("127.0.0.1", port());
  auto r = http.request("POST", "/api/v1/chat/token");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  auto body = json::parse(r->body);
  EXPECT_EQ(body["user"]["role"], "guest");
  ChatClient c(port());
  EXPECT_EQ(c.hello(body["token"])["type"], "welcome");
  EXPECT_EQ(c.join("gala")["type"], "joined");
  c.send({{"op", "send"}, {"room", "gala"}, {"text", "hi"}});
  auto e = c.until("error");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["code"], "chat.forbidden");
  // Rate limited per address: the third within a minute is refused with Retry-After.
  TestClient h2("127.0.0.1", port());
  EXPECT_EQ(h2.request("POST", "/api/v1/chat/token")->status, 200);
  TestClient h3("127.0.0.1", port());
  auto limited = h3.request("POST", "/api/v1/chat/token");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_FALSE(limited->header("retry-after").empty());
}

TEST_F(ChatTest, TwoClientsExchangeMessagesWithIncreasingIds) {
  start();
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  auto b = member("gala", "bob", auth::Role::User, 2);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "你好 bob"}});
  auto m1 = b->until("message");
  ASSERT_TRUE(m1);
  EXPECT_EQ((*m1)["room"], "gala");
  EXPECT_EQ((*m1)["id"], 1);
  EXPECT_EQ((*m1)["text"], "你好 bob");
  EXPECT_EQ((*m1)["user"], (json{{"id", 1}, {"name", "alice"}, {"role", "user"}}));
  EXPECT_GT((*m1)["ts"].get<std::int64_t>(), 1700000000000);
  b->send({{"op", "send"}, {"room", "gala"}, {"text", "hi alice"}});
  auto m2 = a->until("message");  // alice sees her own first
  ASSERT_TRUE(m2);
  EXPECT_EQ((*m2)["id"], 1);
  auto m3 = a->until("message");
  ASSERT_TRUE(m3);
  EXPECT_EQ((*m3)["id"], 2);
  EXPECT_EQ((*m3)["text"], "hi alice");
  a->send({{"op", "ping"}});
  EXPECT_TRUE(a->until("pong"));
}

TEST_F(ChatTest, HubTokenPrintsTokensTheServerAccepts) {
  start();
  auto mod = run(
      {HUB_BINARY, "token", "user", "mia", "--role", "moderator", "--id", "77", "--auth-secret", kSecret});
  ASSERT_EQ(mod.exitCode, 0) << mod.output;
  auto guest = run({HUB_BINARY, "token", "guest", "--ttl", "60", "--auth-secret", kSecret});
  ASSERT_EQ(guest.exitCode, 0) << guest.output;
  auto trim = [](std::string t) {
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
    return t;
  };
  ChatClient a(port());
  auto w = a.hello(trim(mod.output));
  EXPECT_EQ(w["user"], (json{{"id", 77}, {"name", "mia"}, {"role", "moderator"}})) << w;
  ChatClient g(port());
  EXPECT_EQ(g.hello(trim(guest.output))["user"]["role"], "guest");
  auto bad = run({HUB_BINARY, "token", "user", "x", "--role", "root", "--auth-secret", kSecret});
  EXPECT_EQ(bad.exitCode, 2);
  // --room binds the token to one room (the server's side: ARoomBoundModeratorModeratesItsRoomOnly).
  auto bound = run({HUB_BINARY, "token", "user", "mia", "--role", "moderator", "--room", "gala-2026",
                    "--auth-secret", kSecret});
  ASSERT_EQ(bound.exitCode, 0) << bound.output;
  auto claims = auth::verifyToken(trim(bound.output), kSecret, SystemClock::instance());
  ASSERT_TRUE(claims) << bound.output;
  EXPECT_EQ(claims->room, "gala-2026");
  EXPECT_EQ(claims->role, auth::Role::Moderator);
  ChatClient b(port());
  EXPECT_EQ(b.hello(trim(bound.output))["user"]["role"], "moderator");
  EXPECT_EQ(run({HUB_BINARY, "token", "user", "x", "--room", "../etc", "--auth-secret", kSecret}).exitCode,
            2);
  EXPECT_EQ(run({HUB_BINARY, "token", "guest", "--room", "gala", "--auth-secret", kSecret}).exitCode, 2);
  EXPECT_EQ(run({HUB_BINARY, "token", "nobody"}).exitCode, 2);
}

TEST_F(ChatTest, UnknownRoomIsRoomNotFound) {
  start();
  ChatClient c(port());
  c.hello(token("alice", auth::Role::User, 1));
  c.send({{"op", "join"}, {"room", "nowhere"}});
  auto e = c.until("error");
  ASSERT_TRUE(e);
  EXPECT_EQ((*e)["code"], "room.not_found");
}

TEST_F(ChatTest, JoinSinceReplaysWhatWasMissedAndSaysWhenItCannot) {
  start({"--chat-history", "5", "--chat-rate-burst", "20"});
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  for (int i = 1; i <= 8; ++i) {
    a->send({{"op", "send"}, {"room", "gala"}, {"text", "m" + std::to_string(i)}});
    ASSERT_TRUE(a->until("message"));
  }
  ChatClient b(port());
  b.hello(token("bob", auth::Role::User, 2));
  auto j = b.join("gala", 6);
  EXPECT_EQ(j["last_id"], 8);
  EXPECT_EQ(j["recovered"], true);
  EXPECT_EQ((*b.until("message"))["text"], "m7");
  EXPECT_EQ((*b.until("message"))["text"], "m8");

  ChatClient c(port());
  c.hello(token("carol", auth::Role::User, 3));
  auto old = c.join("gala", 1);
  EXPECT_EQ(old["recovered"], false);
  EXPECT_EQ((*c.until("message"))["id"], 4);  // the oldest one kept
}

TEST_F(ChatTest, PlainJoinGetsTheLastMessagesOfTheRoom) {
  start({"--chat-join-history", "3", "--chat-rate-burst", "20"});
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  for (int i = 1; i <= 5; ++i) {
    a->send({{"op", "send"}, {"room", "gala"}, {"text", "m" + std::to_string(i)}});
    ASSERT_TRUE(a->until("message"));
  }
  ChatClient b(port());
  b.hello(token("bob", auth::Role::User, 2));
  auto j = b.join("gala");  // no since
  EXPECT_EQ(j["last_id"], 5);
  EXPECT_EQ(j["recovered"], true);
  for (int id = 3; id <= 5; ++id) {
    auto m = b.next();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["type"], "message") << *m;
    EXPECT_EQ((*m)["id"], id);
    EXPECT_EQ((*m)["text"], "m" + std::to_string(id));
  }
  // Then live messages, nothing else replayed.
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "m6"}});
  auto live = b.until("message");
  ASSERT_TRUE(live);
  EXPECT_EQ((*live)["id"], 6);
}

TEST_F(ChatTest, PlainJoinGetsNoHistoryWhenJoinHistoryIsZero) {
  start({"--chat-join-history", "0"});
  createRoom("gala");
  auto a = member("gala", "alice", auth::Role::User, 1);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "before"}});
  ASSERT_TRUE(a->until("message"));
  ChatClient b(port());
  b.hello(token("bob", auth::Role::User, 2));
  EXPECT_EQ(b.join("gala")["last_id"], 1);
  a->send({{"op", "send"}, {"room", "gala"}, {"text", "after"}});
  auto m = b.until("message");
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)["text"], "after");  // "before" was not replayed
}

TEST_F(ChatTest, ReadyzReportsTheChatEngineWhileRedisIsDown) {
  RedisServer redis;
  start({"--bus-url", redis.url()});
  auto readyz = [&](std::string* body) {
    TestClient c("127.0.0.1", port());
    auto r = c.request("GET", "/readyz");
    if (!r) return 0;
    if (body) *body = r->body;
    return r->status;
  };
  std::string body;
  auto waitFor = [&](int want) {
    for (int i = 0; i < 150; ++i) {
      if (readyz(&body) == want) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  };
  ASSERT_TRUE(waitFor(200)) << body;
  EXPECT_EQ(json::parse(body)["checks"]["chat"], "ok") << body;

  redis.stop();
  ASSERT_TRUE(waitFor(503)) << body;
  // Wait for the chat engine's own check to notice too (its watchdog may lag the bus's).
  for (int i = 0; i < 150 && json::parse(body)["checks"]["chat"] == "ok"; ++i) {
    std::this_thread::sleep_for(100ms);
    readyz(&body);
  }
  EXPECT_EQ(readyz(&body), 503);
  auto chat = json::parse(body)["checks"]["chat"];
  EXPECT_NE(chat, "ok") << body;
  EXPECT_NE(chat.get<std::string>().find("not connected"), std::string::npos) << body;

  redis.start();
  ASSERT_TRUE(waitFor(200)) << body;
  EXPECT_EQ(json::parse(body)["checks"]["chat"], "ok");
}

TEST_F(ChatTest, LikesAreAggregatedToAtMostFourEventsPerSecond) {
  start({"--chat-likes-per-second", "1000"});
  createRoom("gala");
  auto viewer = member("gala", "v", auth::Role::Guest, -1);
  std::vector<std::unique_ptr<ChatClient>> likers;
  for (int i = 0; i < 3; ++i)
    likers.push_back(member("gala", "l" + std::to_string(i), auth::Role::Guest, -10 - i));
  // 2 s of likes: 3 clients x 20 frames x 5 likes, spread out.
  const auto t0 = std::chrono::steady_clock::now();
  for (int round = 0; round < 20; ++round) {
    for (auto& l : likers) l->send({{"op", "like"}, {"room", "gala"}, {"count", 5}});
    std::this_thread::sleep_for(100ms);
  }
  std::uint64_t total = 0;
  int events = 0;
  const auto deadline = t0 + 3s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto j = viewer->next(100ms);
    if (!j || (*j)["type"] != "likes") continue;
    ++events;
    total = (*j)["total"];
  }
  EXPECT_EQ(total, 300u);
  EXPECT_GE(events, 2);
  EXPECT_LE(events, 13);  // 3 s at one event per 250 ms at most, plus one
}

TEST_F(ChatTest, ViewerCountsFollowJoinsAndLeaves) {
  start({"--chat-viewers-interval-ms", "200"});
  createRoom("gala");
  auto a = member("gala", "a", auth::Role::Guest, -1);
  auto b = member("gala", "b", auth::Role::Guest, -2);
  auto c = member("gala", "c", auth::Role::Guest, -3);
  auto seen = [&](ChatClient& client, std::uint64_t want) {
    auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto j = client.next(200ms);
      if (j && (*j)["type"] == "viewers" && (*j)["count"] == want) return true;
    }
    return false;
  };
  EXPECT_TRUE(seen(*a, 3));
  c->send({{"op", "leave"}, {"room", "gala"}});
  b.reset();  // disconnects
  EXPECT_TRUE(seen(*a, 1));
  auto stats = api("GET", "/api/v1/rooms/gala/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(json::parse(stats->body)["connections"], 1);
}

TEST_F(ChatTest, ConnectionsPerAddressAreCapped) {
  start({"--chat-max-connections-per-ip", "3"});
  std::vector<std::unique_ptr<ChatClient>> ok;
  for (int i = 0; i < 3; ++i) {
    ok.push_back(std::make_unique<ChatClient>(port()));
    ASSERT_EQ(ok.back()->status(), 101);
  }
  // Counted before the handshake answers: the fourth is refused at once, whichever loop the
  // others landed on and however loaded the host is.
  for (int round = 0; round < 3; ++round) {
    ChatClient extra(port());
    EXPECT_EQ(extra.status(), 101);
    EXPECT_EQ(extra.closeCode(), 4029) << "round " << round;
  }
  ok[0]->send({{"op", "ping"}});                 // the others are untouched
  EXPECT_EQ((*ok[0]->next())["type"], "error");  // ping before hello: auth.invalid, still open
  auto metrics = TestClient("127.0.0.1", port()).request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("hub_ws_refused_total 3"), std::string::npos);
  // A slot freed by a close is free again.
  ok.pop_back();
  bool admitted = false;
  for (int i = 0; i < 50 && !admitted; ++i) {
    ChatClient again(port());
    again.send({{"op", "ping"}});
    auto j = again.next(2s);
    admitted = j && j->contains("type");
    if (!admitted) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(admitted);
}

TEST_F(ChatTest, ForeignOriginIsRefusedAtTheHandshake) {
  start();
  ChatClient bad(port(), "https://evil.example");
  EXPECT_NE(bad.status(), 101);
  ChatClient good(port(), "https://ok.example");
  EXPECT_EQ(good.status(), 101);
}

TEST_F(ChatTest, OversizedFrameCloses1009AndInvalidUtf8Closes1007) {
  start();
  ChatClient big(port());
  big.hello(token("a", auth::Role::User, 1));
  big.sendRaw(R"({"op":"send","room":"gala","text":")" + std::string(10000, 'x') + "\"}");
  EXPECT_EQ(big.closeCode(), 1009);
  ChatClient utf(port());
  utf.hello(token("b", auth::Role::User, 2));
  utf.sendRaw("{\"op\":\"send\",\"room\":\"gala\",\"text\":\"\xc3\x28\"}");
  EXPECT_EQ(utf.closeCode(), 1007);
  ChatClient junk(port());
  junk.sendRaw("not json");
  EXPECT_EQ((*junk.next())["code"], "chat.bad_request");
}

TEST_F(ChatTest, SlowConsumerIsClosed4008WithoutSlowingTheRoom) {
  start({"--chat-queue-bytes", "65536"});
  createRoom("gala");
  auto slow = member("gala", "slow", auth::Role::Guest, -1);
  auto mod = member("gala", "mod", auth::Role::Moderator, 9);
  std::string text;
  for (int i = 0; i < 190; ++i) text += "弹";  // 570 bytes
  int received = 0;
  const int kSent = 15000;  // ~9 MB: more than the socket buffers and the 64 KiB queue
  for (int i = 0; i < kSent; ++i) {
    mod->send({{"op", "send"}, {"room", "gala"}, {"text", text + std::to_string(i)}});
    if (i % 10 == 9) {  // the sender reads as it goes: it is not a slow consumer
      while (received < i - 20) {
        auto j = mod->next(5s);
        ASSERT_TRUE(j) << "the room stalled at " << received;
        if ((*j)["type"] == "message") ++received;
      }
    }
  }
  while (received < kSent) {
    auto j = mod->next(5s);
    ASSERT_TRUE(j) << "the room stalled at " << received;
    if ((*j)["type"] == "message") ++received;
  }
  EXPECT_EQ(slow->closeCode(20s), 4008);
  auto metrics = TestClient("127.0.0.1", port()).request("GET", "/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find("hub_chat_slow_consumers_total 1"), std::string::npos);
}

TEST_F(ChatTest, RoomsApiCreatesListsAndDeletesRooms) {
  start();
  createRoom("news");
  auto list = api("GET", "/api/v1/rooms");
  ASSERT_TRUE(list);
  EXPECT_NE(list->body.find("\"news\""), std::string::npos);
  auto dup = api("POST", "/api/v1/rooms", json{{"name", "news"}}.dump());
  EXPECT_EQ(dup->status, 409);
  EXPECT_EQ(api("DELETE", "/api/v1/rooms/news")->status, 204);
  EXPECT_EQ(api("GET", "/api/v1/rooms/news")->status, 404);
}

// Adaptive coalescing (default "auto"): here rooms of 3 members or more are "big" and may hold an
// event up to 1 s when events come close together. A small room is never held, a big room's
// first event and its first after a pause go at once, and a burst in a big room arrives packed
// (several events per frame), whole and in order.
TEST_F(ChatTest, QuietOrSmallRoomsAreSentAtOnceAndABusyBigRoomIsPacked) {
  start({"--chat-coalesce-max-ms", "1000", "--chat-coalesce-min-members", "3", "--chat-rate-burst", "100",
         "--chat-rate-per-minute", "6000"});
  createRoom("duo");
  createRoom("gala");
  auto a = member("duo", "alice", auth::Role::User, 1);
  auto b = member("duo", "bob", auth::Role::User, 2);
  auto c = member("gala", "carol", auth::Role::User, 3);
  auto d = member("gala", "dave", auth::Role::User, 4);
  auto e = member("gala", "erin", auth::Role::User, 5);

  // Sends `text` as `from` and returns how long `to` waited for it.
  auto roundTrip = [](ChatClient& from, ChatClient& to, const std::string& room, const std::string& text) {
    auto sent = std::chrono::steady_clock::now();
    from.send({{"op", "send"}, {"room", room}, {"text", text}});
    for (;;) {
      auto m = to.until("message", 5s);
      if (!m) return std::chrono::milliseconds(99'999);
      if ((*m)["text"] == text)
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent);
    }
  };

  // The small room at a pace a big room would hold for 900 ms: every message at once.
  for (int i = 0; i < 5; ++i) {
    EXPECT_LT(roundTrip(*a, *b, "duo", "duo " + std::to_string(i)), 500ms) << i;
    std::this_thread::sleep_for(300ms);
  }
  // The big room's first message: nothing known about its pace, so not held.
  EXPECT_LT(roundTrip(*c, *d, "gala", "first"), 500ms);

  // A burst, 20 ms apart: dave gets it in fewer frames than messages, in order.
  constexpr int kBurst = 30;
  for (int i = 0; i < kBurst; ++i) {
    c->send({{"op", "send"}, {"room", "gala"}, {"text", "burst " + std::to_string(i)}});
    std::this_thread::sleep_for(20ms);
  }
  int frames = 0, got = 0, packed = 0;
  while (got < kBurst) {
    auto f = d->frame(5s);
    ASSERT_TRUE(f) << "got " << got << " of " << kBurst;
    int inFrame = 0;
    for (const auto& ev : *f) {
      if (ev["type"] != "message") continue;
      EXPECT_EQ(ev["text"], "burst " + std::to_string(got));
      ++got;
      ++inFrame;
    }
    if (inFrame > 0) ++frames;
    if (inFrame > 1) ++packed;
  }
  EXPECT_GT(packed, 0);
  EXPECT_LE(frames, kBurst / 2) << "frames " << frames;
  // Erin got the same, whole and in order.
  for (int i = 0; i < kBurst; ++i) {
    auto m = e->until("message");
    if (i == 0 && m && (*m)["text"] == "first") m = e->until("message");
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["text"], "burst " + std::to_string(i));
  }

  // After a pause the room is quiet again: the next message goes at once.
  std::this_thread::sleep_for(4500ms);
  EXPECT_LT(roundTrip(*c, *d, "gala", "after the pause"), 500ms);
}

}  // namespace
}  // namespace hub::test
