// The seed tutorial's chat server, redone with Node.js and `ws`, as a
// reference peer for `webchat bench`: the same design as ../fastapi (every
// open socket in one collection, every text frame broadcast to all of them
// as {"time", "clientId", "message"}, "Offline" to the others on close), in
// the runtime people most often reach for instead. No persistence, no rooms,
// no limits, not tuned.
//
// Usage: node server.js [--host 127.0.0.1] [--port 8000]

'use strict';

const http = require('node:http');
const { WebSocketServer } = require('ws');

function flag(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

// Loopback by default: this is a benchmark target with no limits at all.
const host = flag('--host', '127.0.0.1');
const port = Number(flag('--port', '8000'));

// Same rule as webchat and the FastAPI peer: a number when JavaScript can
// compare it exactly, else the string (docs/protocol.md section 5).
function clientIdValue(id) {
  if (/^(0|[1-9][0-9]*)$/.test(id)) {
    const n = Number(id);
    if (Number.isSafeInteger(n)) return n;
  }
  return id;
}

function frame(clientId, message) {
  // HH:MM in UTC, as webchat's seed endpoint.
  const time = new Date().toISOString().slice(11, 16);
  return JSON.stringify({ time, clientId, message });
}

const clients = new Set();

function broadcast(text) {
  for (const socket of clients) {
    // `send` only queues: a slow reader's buffer grows without bound, as
    // with a naive `ws` server; no backpressure, on purpose.
    socket.send(text);
  }
}

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'Hello World' }));
});

const wss = new WebSocketServer({ noServer: true });

server.on('upgrade', (req, socket, head) => {
  const match = /^\/ws\/([^/?]+)$/.exec(req.url.split('?')[0]);
  if (!match) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  const who = clientIdValue(decodeURIComponent(match[1]));
  wss.handleUpgrade(req, socket, head, (ws) => {
    clients.add(ws);
    ws.on('message', (data, isBinary) => {
      // The seed protocol is text frames only; binary ones are ignored.
      if (!isBinary) broadcast(frame(who, data.toString()));
    });
    ws.on('close', () => {
      clients.delete(ws);
      broadcast(frame(who, 'Offline'));
    });
    // A reset socket emits 'error' then 'close'; without a listener the
    // error would crash the process.
    ws.on('error', () => {});
  });
});

// No Nagle, as webchat and the bench: small frames, latency measured.
server.on('connection', (socket) => socket.setNoDelay(true));

server.listen(port, host, () => {
  console.log(`node-ws peer listening on http://${host}:${port}`);
});

// The bench script stops peers with SIGTERM; exit at once (no state to save).
process.on('SIGTERM', () => process.exit(0));
