// core/bus/redis_uv_adapter.cpp
//
// The glue object lives from attachToLoop() until libuv's close callback for its poll handle;
// hiredis only knows it as ev.data. `ac` is cleared by the cleanup hook, so a poll event that
// races with the context's destruction is ignored.
#include "core/bus/redis_uv_adapter.h"

#include <memory>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

namespace hub::bus {
namespace {

struct UvGlue {
  redisAsyncContext* ac = nullptr;
  uv_poll_t poll{};
  int events = 0;  // UV_READABLE | UV_WRITABLE wanted by hiredis
};

UvGlue* glue(void* privdata) { return static_cast<UvGlue*>(privdata); }

void onPoll(uv_poll_t* handle, int status, int events) {
  auto* g = static_cast<UvGlue*>(handle->data);
  // On error libuv passes no events and has stopped the handle: let hiredis try what it was
  // waiting for, which surfaces the socket error (ECONNREFUSED, ECONNRESET) as a disconnect.
  if (status < 0) events = g->events;
  if (g->ac && (events & UV_READABLE)) redisAsyncHandleRead(g->ac);
  if (g->ac && (events & UV_WRITABLE)) redisAsyncHandleWrite(g->ac);
}

void update(UvGlue* g) {
  if (g->events)
    uv_poll_start(&g->poll, g->events, onPoll);
  else
    uv_poll_stop(&g->poll);
}

void addRead(void* p) {
  glue(p)->events |= UV_READABLE;
  update(glue(p));
}
void delRead(void* p) {
  glue(p)->events &= ~UV_READABLE;
  update(glue(p));
}
void addWrite(void* p) {
  glue(p)->events |= UV_WRITABLE;
  update(glue(p));
}
void delWrite(void* p) {
  glue(p)->events &= ~UV_WRITABLE;
  update(glue(p));
}

void onClosed(uv_handle_t* handle) {
  std::unique_ptr<UvGlue> owned(static_cast<UvGlue*>(handle->data));  // freed here
}

void cleanup(void* p) {
  glue(p)->ac = nullptr;  // the context is being freed
  uv_close(reinterpret_cast<uv_handle_t*>(&glue(p)->poll), onClosed);
}

}  // namespace

int attachToLoop(redisAsyncContext* ac, uv_loop_t* loop) {
  if (ac->ev.data != nullptr) return REDIS_ERR;
  auto g = std::make_unique<UvGlue>();
  if (uv_poll_init(loop, &g->poll, ac->c.fd) != 0) return REDIS_ERR;
  g->ac = ac;
  g->poll.data = g.get();
  ac->ev.addRead = addRead;
  ac->ev.delRead = delRead;
  ac->ev.addWrite = addWrite;
  ac->ev.delWrite = delWrite;
  ac->ev.cleanup = cleanup;
  ac->ev.data = g.release();  // owned by hiredis' cleanup hook from here on
  return REDIS_OK;
}

}  // namespace hub::bus
