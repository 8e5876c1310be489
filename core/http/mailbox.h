// core/http/mailbox.h
//
// The only door into a loop thread from outside: other threads post items (an accepted socket,
// an async response, "this websocket has data to send") under a mutex and wake the loop with
// lws_cancel_service; the loop drains them in LWS_CALLBACK_EVENT_WAIT_CANCELLED. Held by
// shared_ptr from Responders and WsConnections, so posting after the loop is gone is a no-op.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "core/http/response.h"

struct lws_context;

namespace hub::http {

class Mailbox {
 public:
  struct Item {
    enum class Kind { Adopt, Response, WsWake, WsWakes, Drain, Exit } kind;
    std::uint64_t connId = 0;
    std::uint64_t seq = 0;  // request number on the connection, to drop stale responses
    int fd = -1;
    std::optional<Response> response;
    // WsWake, WsWakes: when the loop must write the connection(s) by (steady clock,
    // microseconds; kWriteAtOnce: now). Until then it may hold them to gather what follows.
    std::int64_t dueUs = 1;
    std::vector<std::uint64_t> connIds{};            // WsWakes
    std::chrono::steady_clock::time_point posted{};  // WsWakes: when (hub_ws_wake_delay_seconds)
  };

  // Returns false (and closes an Adopt fd) once the loop has detached.
  bool post(Item item);
  // One WsWakes item for all of these connections, with one wake-up (WsSendBatch): the loop
  // takes a room event's wake-ups in one step, not one item per member.
  void postWakes(std::vector<std::uint64_t> connIds, std::int64_t dueUs);
  // Responses (never Adopt items) under one lock and with one wake-up (ResponseBatch); dropped
  // once the loop has detached.
  void postMany(std::vector<Item> items);
  std::vector<Item> drain();

  void attach(lws_context* ctx);
  // Stops wake-ups; items still queued are returned so the loop can release them.
  std::vector<Item> detach();

 private:
  std::mutex mu_;
  lws_context* ctx_ = nullptr;
  bool detached_ = false;
  std::vector<Item> items_;
};

}  // namespace hub::http
