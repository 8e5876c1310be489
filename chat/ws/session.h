// chat/ws/session.h
//
// One chat WebSocket client as the chat service sees it: its connection handle, who it is once
// the hello passed, the rooms it joined and its likes budget. Commands of a session arrive on the
// loop thread that owns its connection, one at a time, so the fields marked "loop" need no lock;
// other threads (the engine's, the ticker) only use `conn` (thread-safe) and the atomics.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "chat/likes/like_budget.h"
#include "chat/protocol/event.h"
#include "core/auth/token.h"
#include "core/http/websocket.h"
#include "core/util/clock.h"

namespace hub::chat::ws {

struct Session {
  Session(std::shared_ptr<http::WsConnection> c, Clock::Steady openedAt, std::uint32_t likesPerSecond)
      : conn(std::move(c)), opened(openedAt), likeBudget(likesPerSecond) {}

  std::shared_ptr<http::WsConnection> conn;
  const Clock::Steady opened;
  std::atomic<bool> authenticated{false};  // written by the loop, read by the hello sweep

  // loop thread only
  auth::TokenClaims claims;
  protocol::UserInfo user;
  std::set<std::string> rooms;
  likes::LikeBudget likeBudget;

  std::uint64_t id() const { return conn->id(); }
  const std::string& peer() const { return conn->request().peer; }
};

}  // namespace hub::chat::ws
