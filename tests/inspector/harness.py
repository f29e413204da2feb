"""Harness for the inspector daemon's tests: start the real daemon (which
starts the real QEMU), talk REST and WebSocket to it.

Python 3 standard library only. The WebSocket client is a minimal RFC 6455
client: the opening handshake, masked client frames, text, continuation,
ping/pong and close frames.

    with Daemon("name") as d:          # waits for "Glassbox workbench: URL"
        d.get("/api/status")
        ws = d.ws(role="controller")   # says hello, returns a WS
        ws.send({"type": "command", "id": 1, "cmd": "pause"})
        ws.wait(lambda m: m["type"] == "reply" and m["id"] == 1)
"""

import base64
import hashlib
import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
DAEMON = BUILD / "inspector" / "glassbox-inspector"
KERNEL = BUILD / "kernel" / "kernel.elf"
FSIMG = BUILD / "fs.img"
LOGDIR = BUILD / "test-logs"
URL_RE = re.compile(r"^Glassbox workbench: (http://[^/\s]+/)$")
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class TestFailure(AssertionError):
    pass


def check(cond, message):
    if not cond:
        raise TestFailure(message)


# GLASSBOX_TEST_PORTS=LOW-HIGH: take ports from that range only (a shared
# machine where each user has a range), else any free port.
_PORTS = os.environ.get("GLASSBOX_TEST_PORTS")
_next_port = [int(_PORTS.split("-")[0])] if _PORTS else None


def free_port():
    if _PORTS:
        low, high = (int(x) for x in _PORTS.split("-"))
        for _ in range(high - low + 1):
            port = _next_port[0]
            _next_port[0] = low + (port + 1 - low) % (high - low + 1)
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise TestFailure(f"no free port in {_PORTS}")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------
# WebSocket client


class Closed(Exception):
    def __init__(self, code=None, reason=""):
        super().__init__(f"closed ({code}) {reason}")
        self.code = code
        self.reason = reason


class WS:
    def __init__(self, host, port, path="/ws", protocol="glassbox", origin=None,
                 timeout=10.0, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:   # a reader that stalls should stall for real
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.log = []           # every message received, decoded
        self.pending = []       # received but not yet taken by wait()
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}",
                 "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if protocol:
            lines.append(f"Sec-WebSocket-Protocol: {protocol}")
        if origin:
            lines.append(f"Origin: {origin}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise Closed(None, "connection closed during the handshake")
            self.buf += chunk
        head, _, rest = bytes(self.buf).partition(b"\r\n\r\n")
        self.buf = bytearray(rest)
        self.parts = []  # frames of a message not whole yet
        self.delta_keys = {}  # seq -> the fields of a snapshot that came as a delta
        head = head.decode("latin-1")
        status = head.split("\r\n")[0]
        if " 101 " not in status + " ":
            raise Closed(None, f"handshake refused: {status}")
        want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        check(want in head, "bad Sec-WebSocket-Accept")
        self.headers = head

    # -- frames ---------------------------------------------------------------

    @staticmethod
    def frame(opcode, payload, fin=True, masked=True):
        """One WebSocket frame as a client sends it (masked, unless told)."""
        head = bytearray([(0x80 if fin else 0) | opcode])
        n = len(payload)
        bit = 0x80 if masked else 0
        if n < 126:
            head.append(bit | n)
        elif n < 65536:
            head.append(bit | 126)
            head += struct.pack(">H", n)
        else:
            head.append(bit | 127)
            head += struct.pack(">Q", n)
        if not masked:
            return bytes(head) + payload
        mask = os.urandom(4)
        head += mask
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload)) if n < 4096 \
            else _mask_fast(payload, mask)
        return bytes(head) + body

    def send_frame(self, opcode, payload, fin=True, masked=True):
        self.sock.sendall(self.frame(opcode, payload, fin, masked))

    def send_all_at_once(self, objs):
        """Messages in one write: the daemon reads them all before it can
        send anything back."""
        self.sock.sendall(b"".join(self.frame(0x1, json.dumps(o).encode()) for o in objs))

    def send_text(self, text):
        self.send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def send(self, obj):
        self.send_text(json.dumps(obj))

    def _fill(self, n, deadline):
        """At least n bytes in the buffer, none taken from it."""
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no data from the daemon in time")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no data from the daemon in time") from None
            if not chunk:
                raise Closed(None, "connection closed")
            self.buf += chunk

    def _read_exact(self, n, deadline):
        self._fill(n, deadline)
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def recv_frame(self, deadline):
        """The next frame, taken from the stream only once all of it is in:
        a timeout half way through leaves the stream where it was (a reader
        that waits again used to start in the middle of a payload)."""
        self._fill(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        fin, opcode = b0 & 0x80, b0 & 0x0F
        check(not (b1 & 0x80), "the server masked a frame")
        n, head = b1 & 0x7F, 2
        if n == 126:
            self._fill(4, deadline)
            n, head = struct.unpack(">H", bytes(self.buf[2:4]))[0], 4
        elif n == 127:
            self._fill(10, deadline)
            n, head = struct.unpack(">Q", bytes(self.buf[2:10]))[0], 10
        self._fill(head + n, deadline)
        payload = bytes(self.buf[head:head + n])
        del self.buf[:head + n]
        return bool(fin), opcode, payload

    def recv_message(self, timeout=10.0):
        """The next whole text message (str); answers pings; raises Closed.
        A timeout between the frames of a message keeps those that came."""
        deadline = time.monotonic() + timeout
        parts = self.parts
        while True:
            fin, opcode, payload = self.recv_frame(deadline)
            if opcode == 0x9:
                self.send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                raise Closed(code, payload[2:].decode(errors="replace"))
            parts.append(payload)
            if fin:
                self.parts = []
                return b"".join(parts).decode()

    def decode(self, text):
        """A message as an object; a snapshot sent as a delta (docs/protocol.md,
        "base") comes back whole, its unchanged spaces from the one before."""
        msg = json.loads(text)
        if msg.get("type") != "snapshot":
            return msg
        if msg.get("base") is not None:
            last = getattr(self, "last_snapshot", None)
            check(last is not None and last["seq"] == msg["base"],
                  f"a snapshot delta from seq {msg['base']}, and this client has "
                  f"{last and last['seq']}")
            self.delta_keys[msg["seq"]] = sorted(msg)  # what came on the wire
            for pid in msg.pop("unchanged_spaces"):
                msg["address_spaces"][str(pid)] = last["address_spaces"][str(pid)]
            if "kernel_space" not in msg and "kernel_space" in last:
                msg["kernel_space"] = last["kernel_space"]
            elif msg.get("kernel_space", 0) is None:
                del msg["kernel_space"]
            del msg["base"]  # whole now, as a full snapshot is sent
        self.last_snapshot = msg
        return msg

    def recv(self, timeout=10.0):
        if self.pending:
            return self.pending.pop(0)
        msg = self.decode(self.recv_message(timeout))
        self.log.append(msg)
        return msg

    def wait(self, pred, timeout=20.0, what="a message"):
        """The first message (pending first) for which pred is true; the
        others stay pending, in order."""
        for i, m in enumerate(self.pending):
            if pred(m):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure(f"timed out waiting for {what}; last messages: "
                                  f"{[_short(m) for m in self.log[-5:]]}")
            try:
                msg = self.decode(self.recv_message(left))
            except TimeoutError:
                continue
            self.log.append(msg)
            if pred(msg):
                return msg
            self.pending.append(msg)

    def command(self, cmd, id, timeout=20.0, **args):
        self.send({"type": "command", "id": id, "cmd": cmd, **args})
        return self.wait(lambda m: m.get("type") == "reply" and m.get("id") == id,
                         timeout, f"the reply to {cmd} (id {id})")

    def close(self):
        try:
            self.send_frame(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()


def _mask_fast(payload, mask):
    n = len(payload)
    key = (mask * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(key, "little")).to_bytes(n, "little")


def _short(m):
    s = json.dumps(m)
    return s if len(s) < 160 else s[:160] + "..."


# ---------------------------------------------------------------------------
# The daemon


class Daemon:
    def __init__(self, name, extra_args=(), start_timeout=30.0, kernel=KERNEL, disk=FSIMG,
                 log_dir=LOGDIR):
        self.name = name
        self.port = free_port()
        self.extra_args = list(extra_args)
        self.start_timeout = start_timeout
        self.kernel, self.disk, self.log_dir = kernel, disk, Path(log_dir)
        self.proc = None
        self.url = None
        self.stderr_path = self.log_dir / f"inspector-{name}.log"
        self._clients = []

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        check(DAEMON.is_file(), f"daemon not built: {DAEMON} (run make)")
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = open(self.stderr_path, "wb")
        args = [str(DAEMON), "--port", str(self.port), "--kernel", str(self.kernel),
                "--disk", str(self.disk), "--web", str(ROOT / "web")] + self.extra_args
        if _PORTS and "--gdb-port" not in self.extra_args and "--attach" not in self.extra_args:
            args += ["--gdb-port", str(free_port())]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self._stderr,
                                     stdin=subprocess.DEVNULL, cwd=ROOT)
        deadline = time.monotonic() + self.start_timeout
        line = b""
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                line = self.proc.stdout.readline()
                break
            if self.proc.poll() is not None:
                break
        m = URL_RE.match(line.decode(errors="replace").rstrip("\n"))
        if not m:
            self.close()
            raise TestFailure(f"the daemon did not print its URL line (got {line!r}); "
                              f"its stderr: {self.stderr_tail()}")
        self.url = m.group(1)
        # Drain stdout in the background so the daemon never blocks on it.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        try:
            for _ in self.proc.stdout:
                pass
        except (OSError, ValueError):
            pass

    def stderr_tail(self, n=15):
        try:
            return "\n".join(self.stderr_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def close(self):
        for c in self._clients:
            try:
                c.sock.close()
            except OSError:
                pass
        self._clients = []
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        if getattr(self, "_stderr", None):
            self._stderr.close()
            self._stderr = None

    # -- REST ---------------------------------------------------------------

    def request(self, method, path, body=None, headers=None, timeout=20.0):
        """(status, parsed JSON body or raw bytes, headers)"""
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                     method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, raw, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, raw, hdrs = e.code, e.read(), e.headers
        ctype = hdrs.get("Content-Type", "")
        if ctype.startswith("application/json"):
            return status, json.loads(raw), hdrs
        return status, raw, hdrs

    def get(self, path):
        status, body, _ = self.request("GET", path)
        check(status == 200, f"GET {path}: HTTP {status}: {body!r:.200}")
        return body

    def post_command(self, cmd, **args):
        return self.request("POST", "/api/command", {"cmd": cmd, **args})

    # -- WebSocket ------------------------------------------------------------

    def ws(self, role="controller", hello=True, **kw):
        c = WS("127.0.0.1", self.port, **kw)
        self._clients.append(c)
        if hello:
            c.send({"type": "hello", "role": role})
            h = c.wait(lambda m: m.get("type") == "hello", 10, "hello")
            c.hello = h
        return c

    def qemu_pid(self):
        return self.get("/api/status").get("qemu_pid")


# ---------------------------------------------------------------------------
# Registry

TESTS = []


def test(timeout=60.0):
    def register(func):
        TESTS.append((func.__name__, func, timeout))
        return func
    return register
