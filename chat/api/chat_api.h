// chat/api/chat_api.h
//
// The chat service's HTTP API: guest tokens for browsers, rooms, system notices, room stats and
// moderation (actions and log). Everything but POST /api/v1/chat/token needs the admin bearer
// token. Routes and bodies are listed in docs/chat-protocol.md.
#pragma once

namespace hub::chat {
class ChatService;
}

namespace hub::chat::api {

void addChatApi(ChatService& service);

}  // namespace hub::chat::api
