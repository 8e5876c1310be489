// chat/fanout/redis_scripts.h
//
// The Lua scripts of the Redis fan-out engine. Each runs atomically on the server, which is what
// lets several nodes agree without talking to each other:
//
// Keys of a room R (the braces keep a room's keys in one Redis Cluster slot):
//   PREFIX{R}:id        last message id (INCR)
//   PREFIX{R}:hist      capped list of the last messages' texts, oldest first; always the ids
//                       id-LLEN+1 .. id, because only kPublishMessage appends, in the same step
//                       that takes the id
//   PREFIX{R}:likes     likes total (INCRBY)
//   PREFIX{R}:viewers   set of node ids that reported viewers; PREFIX{R}:viewers:NODE holds a
//                       node's count with a TTL, so a node that died stops counting by itself
// Channel of a room: PREFIX room:R; payload "m<ID>\n<TEXT>" for messages, "e\n<TEXT>" for
// other room events.
//
// Lua 5.1 numbers are doubles: ids are exact up to 2^53 and written with %d, never with
// tostring (which switches to exponent notation past 1e14).
#pragma once

namespace hub::chat::fanout::scripts {

// KEYS: id, hist. ARGV: prefix, suffix, history size, channel, floor.
// `floor` is the highest id this node has seen in the room: after Redis restarted without its
// data the ids go on from there instead of starting again at 1, so clients' `since` stays
// meaningful. Returns the new id.
inline constexpr const char* kPublishMessage = R"lua(
local floor = tonumber(ARGV[5])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur < floor then redis.call('SET', KEYS[1], string.format('%d', floor)) end
local id = redis.call('INCR', KEYS[1])
local text = ARGV[1] .. string.format('%d', id) .. ARGV[2]
redis.call('RPUSH', KEYS[2], text)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('PUBLISH', ARGV[4], 'm' .. string.format('%d', id) .. '\n' .. text)
return id
)lua";

// KEYS: id, hist. ARGV: since ("" for none), count (without since: how many of the last
// messages to return). Returns {last_id, recovered (1/0), texts of the messages after since...}.
inline constexpr const char* kHistory = R"lua(
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if ARGV[1] == '' then
  local count = tonumber(ARGV[2] or '0')
  if count <= 0 or last == 0 then return {last, 1} end
  local out = redis.call('LRANGE', KEYS[2], -count, -1)
  table.insert(out, 1, 1)
  table.insert(out, 1, last)
  return out
end
local since = tonumber(ARGV[1])
if since >= last then
  if since == last then return {last, 1} end
  return {last, 0}
end
local len = redis.call('LLEN', KEYS[2])
local first = last - len + 1
local start = since + 1 - first
local recovered = 1
if start < 0 then
  start = 0
  recovered = 0
end
local out = redis.call('LRANGE', KEYS[2], start, -1)
table.insert(out, 1, recovered)
table.insert(out, 1, last)
return out
)lua";

// KEYS: id, hist. ARGV: message id, tombstone text, channel.
// Replaces the message's text in the history by the tombstone when it is still there (the list
// holds ids id-LLEN+1 .. id), then publishes the tombstone as a room event.
inline constexpr const char* kRetract = R"lua(
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local id = tonumber(ARGV[1])
local len = redis.call('LLEN', KEYS[2])
local index = id - (last - len + 1)
if id <= last and index >= 0 and index < len then redis.call('LSET', KEYS[2], index, ARGV[2]) end
redis.call('PUBLISH', ARGV[3], 'e\n' .. ARGV[2])
return 1
)lua";

// KEYS: likes keys of the rooms with deltas (ARGV[1] of them), then of the rooms asked about.
// ARGV: number of deltas, the deltas. Returns the totals of the rooms asked about.
inline constexpr const char* kLikesTick = R"lua(
local n = tonumber(ARGV[1])
for i = 1, n do redis.call('INCRBY', KEYS[i], ARGV[i + 1]) end
local out = {}
for i = n + 1, #KEYS do out[#out + 1] = tonumber(redis.call('GET', KEYS[i]) or '0') end
return out
)lua";

// KEYS: the viewers set of each room. ARGV: node id, TTL in ms, this node's count per room.
// Stores the counts (0 removes this node's entry), forgets nodes whose entry expired, and
// returns the sum over the nodes still there, per room.
inline constexpr const char* kViewersTick = R"lua(
local node = ARGV[1]
local ttl = tonumber(ARGV[2])
local out = {}
for i = 1, #KEYS do
  local set = KEYS[i]
  local count = tonumber(ARGV[i + 2])
  if count > 0 then
    redis.call('SET', set .. ':' .. node, count, 'PX', ttl)
    redis.call('SADD', set, node)
    redis.call('PEXPIRE', set, ttl)
  else
    redis.call('DEL', set .. ':' .. node)
    redis.call('SREM', set, node)
  end
  local sum = 0
  for _, member in ipairs(redis.call('SMEMBERS', set)) do
    local v = redis.call('GET', set .. ':' .. member)
    if v then sum = sum + tonumber(v) else redis.call('SREM', set, member) end
  end
  out[#out + 1] = sum
end
return out
)lua";

// KEYS: id keys. ARGV: the highest id this node saw in each room. Raises an id that is below
// (Redis came back without its data) so history() and the next message continue from there.
inline constexpr const char* kSeedIds = R"lua(
for i = 1, #KEYS do
  local floor = tonumber(ARGV[i])
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if cur < floor then redis.call('SET', KEYS[i], string.format('%d', floor)) end
end
return #KEYS
)lua";

}  // namespace hub::chat::fanout::scripts
