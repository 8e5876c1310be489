// core/bus/redis_reply.h
//
// A Redis reply copied out of hiredis' redisReply, so it can outlive the callback that got it.
// Binary-safe: strings keep their NUL bytes.
#pragma once

#include <string>
#include <vector>

struct redisReply;

namespace hub::bus {

struct RedisReply {
  enum class Type { Nil, Status, Integer, String, Array };
  Type type = Type::Nil;
  long long integer = 0;
  std::string str;  // Status and String
  std::vector<RedisReply> elements;

  static RedisReply from(const redisReply& reply);  // an error reply becomes a Status
};

}  // namespace hub::bus
