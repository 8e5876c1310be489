// core/bus/redis_uv_adapter.h
//
// Drives a hiredis async context from a libuv loop. Replaces hiredis 0.14's adapters/libuv.h,
// which drops poll errors: libuv reports POLLERR (a refused connect, a reset peer) as status
// UV_EBADF and stops the handle, the stock adapter returns without telling hiredis, and the
// connection then hangs until a watchdog notices. Here an error hands hiredis the events it
// was waiting for, so it reads the socket error itself and fails the connection at once.
#pragma once

#include <uv.h>

struct redisAsyncContext;

namespace hub::bus {

// REDIS_OK or REDIS_ERR. On success the context owns the glue; hiredis' cleanup hook frees it
// once libuv has closed the poll handle (the loop must run once more after the context dies).
int attachToLoop(redisAsyncContext* ac, uv_loop_t* loop);

}  // namespace hub::bus
