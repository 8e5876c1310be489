// core/bus/redis_reply.cpp
//
// Conversion from hiredis' reply tree; callers turn error replies into Errors before this.
#include "core/bus/redis_reply.h"

#include <hiredis/hiredis.h>

namespace hub::bus {

RedisReply RedisReply::from(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      out.type = Type::Integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Type::String;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.type = Type::Status;
      out.str.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Type::Array;
      out.elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i)
        out.elements.push_back(reply.element[i] ? from(*reply.element[i]) : RedisReply{});
      break;
    default:
      break;
  }
  return out;
}

}  // namespace hub::bus
