// The WebSocket to the inspector (docs/protocol.md): says hello asking for the
// role we want, numbers commands and matches their replies, and reconnects by
// itself with exponential backoff when the socket drops.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 8000;

// onMessage(msg, receivedAt) gets every message but replies to our commands;
// onState({connection, retryAt, attempt}) hears about the socket.
export function connect({ role, token, onMessage, onState }) {
  const pending = new Map();
  let socket = null;
  let delay = FIRST_DELAY_MS;
  let attempt = 0;
  let timer = null;
  let nextId = 1;

  function open() {
    clearTimeout(timer);
    attempt++;
    onState({ connection: 'connecting', attempt });
    const url = new URL('/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    socket = new WebSocket(url, 'glassbox');
    // Hello first: the daemon takes a client that says anything else first
    // for a viewer, and would relay the teacher's view to it.
    socket.onopen = () => {
      send({ type: 'hello', role, ...(token ? { token } : {}) });
      onState({ connection: 'open', attempt });
    };
    socket.onmessage = (e) => {
      const receivedAt = performance.now();
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      // The back-off starts again only once the daemon said hello: a socket
      // that opens and is dropped at once keeps backing off.
      // A reconnection asks for the role the daemon gave last (a page that
      // another took control from comes back a viewer).
      if (msg.type === 'hello') {
        delay = FIRST_DELAY_MS;
        attempt = 0;
        role = msg.role;
      }
      if (msg.type === 'reply' && pending.has(msg.id)) {
        pending.get(msg.id)(msg);
        pending.delete(msg.id);
      } else {
        onMessage(msg, receivedAt);
      }
    };
    socket.onclose = () => {
      for (const resolve of pending.values()) resolve({ ok: false, error: 'disconnected' });
      pending.clear();
      onState({ connection: 'closed', retryAt: Date.now() + delay, attempt });
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    };
  }

  function send(msg) {
    if (socket?.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(msg));
    return true;
  }

  // Resolves with the reply ({ok, error}); never rejects. With timeoutMs,
  // resolves as failed if no reply comes by then: for what a viewer asks,
  // which the daemon may drop unread (over its rate, docs/security.md).
  function command(cmd, args = {}, { timeoutMs } = {}) {
    const id = nextId++;
    if (!send({ type: 'command', id, cmd, ...args })) {
      return Promise.resolve({ ok: false, error: 'not connected' });
    }
    return new Promise((resolve) => {
      pending.set(id, resolve);
      if (!timeoutMs) return;
      setTimeout(() => {
        if (pending.get(id) !== resolve) return;
        pending.delete(id);
        resolve({ ok: false, error: 'no reply from the daemon' });
      }, timeoutMs);
    });
  }

  open();
  return {
    command,
    console: (data) => send({ type: 'console', data }),
    send,
    // Ask again for a role (taking control back), with a token if one is given.
    hello(want, given) {
      role = want;
      token = given || token;
      return send({ type: 'hello', role, ...(token ? { token } : {}) });
    },
    reconnectNow: () => socket?.readyState === WebSocket.CLOSED && open(),
  };
}
