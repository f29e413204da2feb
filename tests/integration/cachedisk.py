"""A disk with a volatile write cache, served to QEMU over NBD.

Real disks acknowledge a write when it is in their cache and make it
durable only at a FLUSH (or when they get round to it). QEMU's own file
backend keeps everything the guest wrote in the host's page cache, so
killing QEMU loses nothing and cannot tell whether the kernel flushes. This
server can: writes since the last FLUSH stay in memory (reads see them), a
FLUSH applies them to the image file, and crash() keeps only a random subset
of the unflushed ones, in no particular order — what a power cut may leave.

    with CacheDisk(image, seed=1) as d:
        g = Guest("x", disk=None, extra_args=d.qemu_args())
        ...
        g.stop(); d.crash()       # the image now holds what survived

With freeze_after=N the disk stops answering at its Nth write or flush
(QEMU waits for it forever; frozen is set): a crash at an exact point of
the guest's I/O, not at a moment of the guest's computing. freeze() does
the same from now on. While fail_writes is set, every write is answered
with EIO and changes nothing (a medium that has gone bad). With trace=True, trace lists every write and flush
in the order served: ("W", offset, data) and ("F",).

Implements the NBD fixed-newstyle handshake (NBD_OPT_GO, NBD_OPT_EXPORT_NAME)
and the READ, WRITE, FLUSH and DISC commands; see the NBD protocol document
(github.com/NetworkBlockDevice/nbd, doc/proto.md). Standard library only.
"""

import os
import random
import socket
import struct
import tempfile
import threading

NBDMAGIC = 0x4E42444D41474943
IHAVEOPT = 0x49484156454F5054
REPLY_MAGIC = 0x3E889045565A9
REQUEST_MAGIC = 0x25609513
SIMPLE_REPLY_MAGIC = 0x67446698

FLAG_FIXED_NEWSTYLE = 1
FLAG_NO_ZEROES = 2
TRANS_HAS_FLAGS = 1
TRANS_SEND_FLUSH = 4

OPT_EXPORT_NAME = 1
OPT_ABORT = 2
OPT_GO = 7
REP_ACK = 1
REP_INFO = 3
REP_ERR_UNSUP = (1 << 31) + 1
INFO_EXPORT = 0

CMD_READ, CMD_WRITE, CMD_DISC, CMD_FLUSH = 0, 1, 2, 3
EIO = 5
EINVAL = 22


class CacheDisk:
    def __init__(self, image, seed=0, freeze_after=None, trace=False):
        self.image = str(image)
        self.size = os.path.getsize(self.image)
        self.rng = random.Random(seed)
        self.pending = []        # (offset, data) written since the last FLUSH, in order
        self.flushes = 0         # FLUSH commands served
        self.writes = 0          # WRITE commands served
        self.freeze_after = freeze_after
        self.fail_writes = False
        self.failed_writes = 0   # WRITE commands answered with EIO
        self.trace = [] if trace else None
        self.frozen = threading.Event()
        self.closed = threading.Event()
        self.lock = threading.Lock()
        self.dir = tempfile.mkdtemp(prefix="glassbox-nbd-")
        self.path = os.path.join(self.dir, "sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(1)
        self.thread = threading.Thread(target=self._serve, daemon=True, name="cachedisk")
        self.thread.start()

    def qemu_args(self):
        return ["-drive", f"driver=nbd,server.type=unix,server.path={self.path},"
                          "if=none,id=hd0,cache=writeback",
                "-device", "virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0"]

    def unflushed(self):
        with self.lock:
            return len(self.pending)

    def freeze(self):
        """Answer no write or flush from now on."""
        with self.lock:
            self.freeze_after = self.writes + self.flushes

    def crash(self, keep=0.5):
        """A power cut: each unflushed write reaches the image or not, at
        random (each with probability keep)."""
        with self.lock:
            kept = [w for w in self.pending if self.rng.random() < keep]
            self.rng.shuffle(kept)
            self._apply(kept)
            self.pending = []

    def close(self):
        self.closed.set()
        self.listener.close()
        try:
            os.unlink(self.path)
            os.rmdir(self.dir)
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- the image ---------------------------------------------------------

    def _apply(self, writes):
        with open(self.image, "r+b") as f:
            for off, data in writes:
                f.seek(off)
                f.write(data)

    def _read(self, off, length):
        with open(self.image, "rb") as f:
            f.seek(off)
            data = bytearray(f.read(length))
        for woff, wdata in self.pending:          # the cache is in front of the disk
            lo, hi = max(off, woff), min(off + length, woff + len(wdata))
            if lo < hi:
                data[lo - off:hi - off] = wdata[lo - woff:hi - woff]
        return bytes(data)

    # -- the protocol ------------------------------------------------------

    def _serve(self):
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            try:
                if self._handshake(conn):
                    self._transmit(conn)
            except (ConnectionError, OSError):
                pass          # QEMU went away (killed): what is pending stays pending

    @staticmethod
    def _recv(conn, n):
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("peer closed")
            buf += chunk
        return buf

    def _reply_opt(self, conn, opt, rtype, data=b""):
        conn.sendall(struct.pack(">QIII", REPLY_MAGIC, opt, rtype, len(data)) + data)

    def _handshake(self, conn):
        conn.sendall(struct.pack(">QQH", NBDMAGIC, IHAVEOPT, FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES))
        (client_flags,) = struct.unpack(">I", self._recv(conn, 4))
        flags = TRANS_HAS_FLAGS | TRANS_SEND_FLUSH
        while True:
            magic, opt, length = struct.unpack(">QII", self._recv(conn, 16))
            if magic != IHAVEOPT:
                return False
            self._recv(conn, length)
            if opt == OPT_EXPORT_NAME:
                tail = b"" if client_flags & FLAG_NO_ZEROES else bytes(124)
                conn.sendall(struct.pack(">QH", self.size, flags) + tail)
                return True
            if opt == OPT_GO:
                self._reply_opt(conn, opt, REP_INFO, struct.pack(">HQH", INFO_EXPORT, self.size, flags))
                self._reply_opt(conn, opt, REP_ACK)
                return True
            if opt == OPT_ABORT:
                self._reply_opt(conn, opt, REP_ACK)
                return False
            self._reply_opt(conn, opt, REP_ERR_UNSUP)

    def _transmit(self, conn):
        while True:
            magic, _flags, cmd, handle, off, length = struct.unpack(">IHHQQI", self._recv(conn, 28))
            if magic != REQUEST_MAGIC:
                return
            data = self._recv(conn, length) if cmd == CMD_WRITE else b""
            if cmd == CMD_DISC:
                return
            with self.lock:
                frozen = self.freeze_after is not None and \
                    self.writes + self.flushes >= self.freeze_after
            if cmd in (CMD_WRITE, CMD_FLUSH) and frozen:
                self.frozen.set()
                self.closed.wait()   # no answer, connection kept: QEMU waits
                return
            error, payload = 0, b""
            with self.lock:
                if off + length > self.size and cmd in (CMD_READ, CMD_WRITE):
                    error = EINVAL
                elif cmd == CMD_READ:
                    payload = self._read(off, length)
                elif cmd == CMD_WRITE and self.fail_writes:
                    error = EIO
                    self.failed_writes += 1
                elif cmd == CMD_WRITE:
                    self.pending.append((off, data))
                    self.writes += 1
                    if self.trace is not None:
                        self.trace.append(("W", off, data))
                elif cmd == CMD_FLUSH:
                    self._apply(self.pending)
                    self.pending = []
                    self.flushes += 1
                    if self.trace is not None:
                        self.trace.append(("F",))
                else:
                    error = EINVAL
            conn.sendall(struct.pack(">IIQ", SIMPLE_REPLY_MAGIC, error, handle) + payload)
