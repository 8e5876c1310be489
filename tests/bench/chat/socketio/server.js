// Socket.IO 4 + @socket.io/redis-adapter peer for tests/bench/chat_fanout.sh.
//
// Speaks the hub's chat JSON shapes (docs/chat-protocol.md) inside Socket.IO events, so one load
// generator drives both: the client emits "cmd" with a hub command object ({"op":"join",...}),
// the server emits "ev" with a hub event object ({"type":"message",...}). Several of these
// processes on one Redis form a cluster the way Socket.IO is deployed (one process per core).
//
// Kept as close to what a typical Socket.IO chat does as possible: rooms are Socket.IO rooms,
// a message goes out with io.to(room).emit (the Redis adapter forwards it to the other
// processes), message ids come from a Redis INCR per room (ids must agree across processes),
// likes are summed per process and published as one delta per room per tick.
//
// Usage: node server.js --port P --redis redis://127.0.0.1:6379 [--like-tick-ms 250]
'use strict';

const http = require('http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

function arg(name, dflt) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const port = Number(arg('port', '3000'));
const host = arg('host', '127.0.0.1');
const redisUrl = arg('redis', 'redis://127.0.0.1:6379');
const likeTickMs = Number(arg('like-tick-ms', '250'));

async function main() {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  const cmd = pub.duplicate();
  for (const c of [pub, sub, cmd]) c.on('error', (e) => console.error('redis:', e.message));
  await Promise.all([pub.connect(), sub.connect(), cmd.connect()]);

  const httpServer = http.createServer();
  const io = new Server(httpServer, {
    transports: ['websocket'],
    perMessageDeflate: false,
    maxHttpBufferSize: 64 * 1024,
  });
  io.adapter(createAdapter(pub, sub));

  let nextUser = 1;
  const pendingLikes = new Map();  // room -> likes since the last tick, this process
  const likeTotals = new Map();    // room -> total as Redis last told us

  io.on('connection', (socket) => {
    let user = null;
    socket.on('cmd', async (c) => {
      if (!c || typeof c.op !== 'string') return;
      if (c.op === 'hello') {
        user = { id: nextUser++, name: 'u' + socket.id.slice(0, 6), role: 'user' };
        socket.emit('ev', { type: 'welcome', user });
        return;
      }
      if (!user) {
        socket.emit('ev', { type: 'error', code: 'auth.invalid', message: 'hello first' });
        return;
      }
      const room = String(c.room || '');
      switch (c.op) {
        case 'join': {
          socket.join(room);
          const last = Number((await cmd.get('sio:room:' + room + ':id')) || 0);
          socket.emit('ev', { type: 'joined', room, last_id: last, recovered: true });
          break;
        }
        case 'leave':
          socket.leave(room);
          break;
        case 'send': {
          const id = await cmd.incr('sio:room:' + room + ':id');
          io.to(room).emit('ev', { type: 'message', room, id, user, text: String(c.text), ts: Date.now() });
          break;
        }
        case 'like': {
          const n = Math.max(1, Math.min(Number(c.count) || 1, 100));
          pendingLikes.set(room, (pendingLikes.get(room) || 0) + n);
          break;
        }
        case 'ping':
          socket.emit('ev', { type: 'pong' });
          break;
        default:
          socket.emit('ev', { type: 'error', code: 'chat.bad_op', message: 'unknown op' });
      }
    });
  });

  setInterval(async () => {
    const batch = [...pendingLikes.entries()];
    pendingLikes.clear();
    for (const [room, delta] of batch) {
      const total = await cmd.incrBy('sio:room:' + room + ':likes', delta);
      likeTotals.set(room, total);
      io.to(room).emit('ev', { type: 'likes', room, total, delta });
    }
  }, likeTickMs);

  httpServer.listen(port, host, () => console.log(`socket.io peer listening on ${host}:${port}`));
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
