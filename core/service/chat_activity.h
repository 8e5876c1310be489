// core/service/chat_activity.h
//
// What the chat service tells other services (the CMS's control room history) about its rooms'
// activity, on the bus topic kChatActivityTopic: every few seconds, and once more with the final
// counts when a minute is over, each chat node publishes
//   {"node": N, "minute_ms": M, "rooms": [{"room": R, "messages": C, "likes_total": L}]}
// with C the messages sent through that node in the minute starting at M (UTC ms, so far: a
// later publication of the same node and minute replaces it) and L the room's like total across
// all nodes. A reader sums `messages` over nodes and takes the largest `likes_total` per minute.
#pragma once

namespace hub::service {

inline constexpr const char* kChatActivityTopic = "chat.activity";

}  // namespace hub::service
