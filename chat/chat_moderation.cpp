// chat/chat_moderation.cpp
//
// The chat service's moderation actions (delete, mute, ban, slow mode) and system notices: the
// same code for the HTTP API (chat/api) and the moderator ops over /ws. Each action is logged
// in chat_moderation_log; so is every replacement of the word lists (room "*", action "words").
#include "chat/chat_service.h"
#include "chat/protocol/event_encoder.h"
#include "core/log/log.h"
#include "core/sql/database.h"

namespace hub::chat {
namespace {

const std::shared_ptr<spdlog::logger>& logger() {
  static const auto log = hub::log::get("chat.moderation");
  return log;
}

}  // namespace

Status ChatService::moderate(const protocol::Moderate& m, const std::string& moderator) {
  using protocol::ModerationAction;
  if (!store_->find(m.room)) return makeError("room.not_found", "no room " + m.room);
  Status st;
  switch (m.action) {
    case ModerationAction::Delete:
      if (m.messageId == 0) return makeError("chat.bad_request", "delete needs a message id above 0");
      st = deleteMessage(m.room, m.messageId, moderator);
      break;
    case ModerationAction::Mute:
    case ModerationAction::Unmute: {
      const std::int64_t seconds = m.action == ModerationAction::Mute ? m.seconds : 0;
      if (seconds < 0 || seconds > 365 * 86400)
        return makeError("chat.bad_request", "mute seconds must be 0..31536000");
      st = mute(m.room, m.userId, seconds, moderator);
      break;
    }
    case ModerationAction::Ban:
    case ModerationAction::Unban:
      st = ban(m.room, m.userId, m.action == ModerationAction::Ban, moderator);
      break;
    case ModerationAction::SlowMode:
      if (m.seconds < 0 || m.seconds > 600)
        return makeError("chat.bad_request", "slow mode seconds must be 0..600");
      st = slowMode(m.room, static_cast<int>(m.seconds), moderator);
      break;
  }
  if (st) {
    logger()->info("[room={} user={} message={}] moderation {} by {}", m.room, m.userId, m.messageId,
                   protocol::actionName(m.action), moderator);
  }
  return st;
}

void ChatService::notice(const std::string& room, const std::string& text,
                         std::function<void(Result<std::uint64_t>)> done) {
  auto full = protocol::encodeEvent(
      protocol::Message{room, 0, protocol::UserInfo{0, "system", "system"}, text, nowMs()});
  const auto at = full.find(",\"id\":0,");
  engine_->publishMessage(room, fanout::MessageTemplate{full.substr(0, at + 6), full.substr(at + 7)},
                          [done = std::move(done)](Result<fanout::Published> r) {
                            if (!r) return done(r.error());
                            done(r->id);
                          });
}

Status ChatService::deleteMessage(const std::string& room, std::uint64_t id, const std::string& moderator) {
  // The tombstone also replaces the text in the room's history, so no later join gets it.
  if (auto st = engine_->retract(room, id, protocol::encodeShared(protocol::Deleted{room, id})); !st)
    return st;
  room::ModerationEntry e;
  e.room = room;
  e.action = "delete";
  e.messageId = static_cast<std::int64_t>(id);
  e.moderator = moderator;
  return store_->log(e);
}

Status ChatService::mute(const std::string& room, std::int64_t user, std::int64_t seconds,
                         const std::string& moderator) {
  const std::int64_t until = seconds > 0 ? nowMs() + seconds * 1000 : 0;
  if (auto st = store_->setMute(room, user, until); !st) return st;
  if (until) {
    if (auto st = engine_->publishEvent(room, protocol::encodeShared(protocol::Muted{room, user, until}));
        !st) {
      return st;
    }
  }
  room::ModerationEntry e;
  e.room = room;
  e.action = until ? "mute" : "unmute";
  e.targetUser = user;
  e.until = until;
  e.seconds = seconds;
  e.moderator = moderator;
  return store_->log(e);
}

Status ChatService::ban(const std::string& room, std::int64_t user, bool banned,
                        const std::string& moderator) {
  if (auto st = store_->setBan(room, user, banned); !st) return st;
  if (banned) enforceBans();
  room::ModerationEntry e;
  e.room = room;
  e.action = banned ? "ban" : "unban";
  e.targetUser = user;
  e.moderator = moderator;
  return store_->log(e);
}

Status ChatService::slowMode(const std::string& room, int seconds, const std::string& moderator) {
  if (auto st = store_->setSlowMode(room, seconds); !st) return st;
  room::ModerationEntry e;
  e.room = room;
  e.action = "slow_mode";
  e.seconds = seconds;
  e.moderator = moderator;
  return store_->log(e);
}

Result<std::vector<service::StoredWordList>> ChatService::wordLists() {
  return service::loadWordLists(context_->db);
}

Status ChatService::replaceWordLists(std::vector<service::StoredWordList> lists, const std::string& by) {
  std::size_t words = 0;
  for (const auto& l : lists) words += l.words.size();
  const std::size_t count = lists.size();
  auto st = context_->db.transaction([&](sql::Transaction& tx) -> Status {
    return service::replaceWordLists(tx, std::move(lists), nowMs(), by);
  });
  if (!st) return st;
  // This node at once; the others (and this one again) when their change watcher sees the topic.
  if (auto r = reloadFilter(); !r) logger()->warn("word filter not rebuilt: {}", r.error().message);
  logger()->info("[room=*] word lists replaced by {}: {} lists, {} words", by, count, words);
  room::ModerationEntry e;
  e.room = "*";
  e.action = "words";
  e.seconds = static_cast<std::int64_t>(words);
  e.moderator = by;
  return store_->log(e);
}

}  // namespace hub::chat
