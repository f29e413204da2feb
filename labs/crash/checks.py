"""The crash lab's checks (labs/grade.py runs them; labs/crash/README.md
says what each means).

Commit: the kernel runs on a disk with a write cache (cachedisk.py) that
records every write and flush; the grader reads the order of the journal's
writes from that record (order), and kills the machine where it likes
(fsync, crashes). Replay: the grader writes transactions into the journal
itself, as another system's kernel would have left them after a crash, and
boots the submission's kernel on that disk (replay, uncommitted,
commit-sequence, stale, revoke)."""

import random
import re
import shutil
import struct

from cachedisk import CacheDisk
from checklib import Check, debugfs, usertests
from crashreport import expected, fnv

MAGIC = 0xC03B3998
DESCRIPTOR, COMMIT, REVOKE = 1, 2, 5
FLAG_SAME_UUID, FLAG_LAST_TAG = 2, 8
FEATURE_INCOMPAT_REVOKE = 1
SIZE = 3000             # crashcheck fsync's file (labs/crash/grading/crashcheck.c)
FSYNCS = 3              # crashcheck commit's fsyncs and syncs
CRASHES = 3             # seeded crashes of crashload (the crashes check)
SEED = 2026


def block_size(image):
    return int(re.search(rb"Block size:\s*(\d+)", debugfs(image, "stats")).group(1))


def journal_blocks(image):
    """The disk block of each block of the journal (inode 8), in order."""
    text = debugfs(image, "stat <8>").decode()
    blocks = []
    for lo, hi, first, last in re.findall(r"\((\d+)(?:-(\d+))?\):(\d+)(?:-(\d+))?", text):
        n = int(hi or lo) - int(lo) + 1
        blocks.extend(range(int(first), int(first) + n))
    return blocks


def header(data):
    """(type, sequence) of a JBD2 block, or None."""
    magic, kind, seq = struct.unpack_from(">III", data)
    return (kind, seq) if magic == MAGIC else None


def tags(data):
    """The home blocks a descriptor names (no 64-bit or checksum features)."""
    homes, off = [], 12
    while off + 8 <= len(data):
        home, _csum, flags = struct.unpack_from(">IHH", data, off)
        homes.append(home)
        off += 8 + (0 if flags & FLAG_SAME_UUID else 16)
        if flags & FLAG_LAST_TAG:
            break
    return homes


def fsck(g):
    """Stop g and e2fsck -fn its disk: None if clean, else why."""
    rc, out = g.fsck()
    return None if rc == 0 else f"e2fsck -fn then exits {rc}:\n" + "\n".join(out.splitlines()[:8])


# ---- commit: the order of writes and flushes -------------------------------------


def commit_order(trace, jblocks, bsize):
    """Why the trace breaks the commit's order, or None; and the number of
    commit blocks written."""
    where = {b: n for n, b in enumerate(jblocks)}
    pending = set()          # blocks written since the last flush
    txn = None               # the transaction being written: its state
    jstart, jseq = 0, None   # the journal superblock's start and sequence (the grading
                             # image's journal is empty)
    commits = 0
    for op in trace:
        if op[0] == "F":
            pending.clear()
            if txn and txn["commit"]:
                txn["durable"] = True
            continue
        _, off, data = op
        for i in range(0, len(data), bsize):
            block, chunk = off // bsize + i // bsize, data[i:i + bsize]
            n = where.get(block)
            if n == 0:                                # the journal superblock
                jseq, jstart = struct.unpack_from(">II", chunk, 24)
                if jstart and (txn is None or txn["emptied"]):
                    txn = {"homes": set(), "commit": False, "durable": False,
                           "home": set(), "emptied": False}
                elif jstart == 0 and txn and txn["durable"]:
                    left = txn["homes"] - txn["home"]
                    if left:
                        return (f"the journal was marked empty, but logged block {min(left)} was "
                                "never written home: the checkpoint must come first"), commits
                    if pending & txn["homes"]:
                        return (f"the journal was marked empty while block "
                                f"{min(pending & txn['homes'])} was written home but not flushed: "
                                "a crash then loses it (FLUSH after the checkpoint)"), commits
                    txn["emptied"] = True
            elif n is not None:                       # the log
                h = header(chunk)
                if h and h[0] == COMMIT and jstart == 0:
                    return (f"the commit block (journal block {n}) was written while the "
                            "journal superblock said the journal was empty (start 0): a crash "
                            "before the checkpoint is done then mounts without replaying, and "
                            "the checkpoint stays half done (the superblock with start = "
                            "journal.first comes before the commit block)"), commits
                if h and h[0] == COMMIT and h[1] != jseq:
                    return (f"the commit block of transaction {h[1]} was written while the "
                            f"journal superblock said the log starts with transaction {jseq}: "
                            "a mount after a crash looks for that one, finds none and replays "
                            "nothing"), commits
                if txn is None:
                    pass
                elif h and h[0] == DESCRIPTOR:
                    txn["homes"].update(tags(chunk))
                elif h and h[0] == COMMIT:
                    late = [b for b in pending if b in where]
                    if late:
                        return (f"the commit block (journal block {n}) was written while journal "
                                f"block {where[late[0]]} was not flushed yet: after a crash the "
                                "commit can be there without the log it commits (FLUSH before "
                                "the commit block)"), commits
                    txn["commit"] = True
                    commits += 1
            elif txn and block in txn["homes"] and not txn["emptied"]:
                if not txn["durable"]:
                    return (f"block {block} was written home before its transaction's commit "
                            "block was on the disk (written and flushed): a crash then leaves "
                            "half a transaction in place"), commits
                txn["home"].add(block)
            pending.add(block)
    return None, commits


def order(ctx):
    image = ctx.log.parent / f"{ctx.log.stem}.img"
    shutil.copyfile(ctx.image, image)
    jblocks, bsize = journal_blocks(image), block_size(image)
    with CacheDisk(image, trace=True) as disk:
        g = ctx.boot(extra_args=disk.qemu_args())
        out = g.run("/grade/crashcheck commit", timeout=ctx.left())
        g.stop()
        trace = list(disk.trace)
    image.unlink()
    if "crashcheck: done" not in out:
        return "crashcheck commit did not finish: " + out.strip()[-200:]
    why, commits = commit_order(trace, jblocks, bsize)
    if why:
        return why
    if commits < FSYNCS:
        return (f"crashcheck commit made {FSYNCS} changes durable (fsync, sync) but the journal "
                f"saw {commits} commit blocks: each commit must go through the journal")
    return None


# ---- fsync: durable when it returns -------------------------------------------------


def fsync_durable(ctx):
    """crashcheck fsync prints "fsynced"; at once the disk stops and every
    write not flushed is lost. Rebooted, the file must be there."""
    image = ctx.log.parent / f"{ctx.log.stem}.img"
    shutil.copyfile(ctx.image, image)
    try:
        with CacheDisk(image) as disk:
            g = ctx.boot(extra_args=disk.qemu_args())
            g.send("/grade/crashcheck fsync\n")
            g.expect(r"crashcheck: fsynced", timeout=ctx.left(), what="crashcheck: fsynced")
            disk.freeze()
            g.stop()
            disk.crash(keep=0)
        g = ctx.boot(disk=image, part="reboot")
        why = fsck(g)
        if why:
            return "after a crash just after fsync returned, and the kernel's replay, " + why
        data = debugfs(g.image, "cat /cc/f")
    finally:
        image.unlink()
    want = bytes((i * 7 + 1) & 0xFF for i in range(SIZE))
    if data != want:
        return (f"fsync returned, then the machine died: rebooted, /cc/f holds {len(data)} bytes, "
                f"not the {SIZE} fsynced (fsync must return only once its commit is flushed)")
    return None


# ---- crashes: the whole story ---------------------------------------------------


def crashes(ctx):
    """CRASHES times: crashload runs until the disk stops at a seeded write
    or flush, the unflushed writes survive at random; the kernel boots on
    what is left: e2fsck -fn clean, every fsynced file intact."""
    rng = random.Random(SEED)
    for n in range(CRASHES):
        image = ctx.log.parent / f"{ctx.log.stem}-{n}.img"
        shutil.copyfile(ctx.image, image)
        seed = rng.randrange(1 << 30)
        try:
            with CacheDisk(image, seed=seed, freeze_after=rng.randrange(200, 3000)) as disk:
                g = ctx.boot(extra_args=disk.qemu_args(), part=f"crash{n}")
                g.send(f"crashload {seed}\n")
                if not disk.frozen.wait(min(30, ctx.left())):
                    return f"crash {n}: crashload stopped writing before the crash"
                g.stop()
                transcript = g.transcript
                disk.crash()
            want = expected(transcript)
            g = ctx.boot(disk=image, part=f"crash{n}-reboot")
            why = fsck(g)
            if why:
                return f"crash {n} (crashload {seed}), rebooted: " + why
            for name, (size, h) in want.items():
                data = debugfs(g.image, f"cat /cl/{name}")
                if len(data) != size or fnv(data) != h:
                    return (f"crash {n} (crashload {seed}): /cl/{name} was fsynced with {size} "
                            f"bytes; rebooted, it holds {len(data)} (or other bytes)")
        finally:
            image.unlink()
    return None


# ---- replay: journals the grader writes -------------------------------------------


class Journal:
    """A disk image whose journal the grader fills: files /jA.. of one
    block each ("o" bytes), and transactions logging new contents for them."""

    def __init__(self, ctx, names):
        self.image = ctx.log.parent / f"{ctx.log.stem}.img"
        shutil.copyfile(ctx.image, self.image)
        self.bsize = block_size(self.image)
        src = ctx.log.parent / f"{ctx.log.stem}.block"
        src.write_bytes(b"o" * self.bsize)
        for name in names:
            debugfs(self.image, f"write {src} /j{name}", write=True)
        src.unlink()
        self.home = {name: int(debugfs(self.image, f"bmap /j{name} 0").split()[0])
                     for name in names}
        self.jblocks = journal_blocks(self.image)
        jsb = self.read(self.jblocks[0])
        self.first, self.sequence = struct.unpack_from(">II", jsb, 20)
        self.sequence += 100     # room for older sequence numbers
        self.uuid = jsb[48:64]
        self.pos = self.first

    def read(self, block):
        with open(self.image, "rb") as f:
            f.seek(block * self.bsize)
            return f.read(self.bsize)

    def write(self, block, data):
        with open(self.image, "r+b") as f:
            f.seek(block * self.bsize)
            f.write(data.ljust(self.bsize, b"\0"))

    def log(self, data):
        self.write(self.jblocks[self.pos], data)
        self.pos += 1

    def transaction(self, seq, changes, revoked=(), commit=0):
        """Log changes {file name: byte} as transaction seq (relative to the
        journal's sequence), revoking the blocks of the files in revoked;
        its commit block carries sequence seq + commit (None: no commit
        block)."""
        seq += self.sequence
        if revoked:
            nrs = b"".join(struct.pack(">I", self.home[r]) for r in revoked)
            self.log(struct.pack(">IIII", MAGIC, REVOKE, seq, 16 + len(nrs)) + nrs)
        desc = struct.pack(">III", MAGIC, DESCRIPTOR, seq)
        for i, name in enumerate(changes):
            flags = (FLAG_SAME_UUID if i else 0) | (FLAG_LAST_TAG if i == len(changes) - 1 else 0)
            desc += struct.pack(">IHH", self.home[name], 0, flags) + (b"" if i else self.uuid)
        self.log(desc)
        for byte in changes.values():
            self.log(byte * self.bsize)
        if commit is not None:
            self.log(struct.pack(">III", MAGIC, COMMIT, seq + commit))

    def boot(self, ctx):
        """Point the journal superblock at the log, boot the kernel on the
        image: (the boot's text, {file name: its first byte}, or the reason)."""
        jsb = bytearray(self.read(self.jblocks[0]))
        struct.pack_into(">II", jsb, 24, self.sequence, self.first)
        jsb[40:44] = struct.pack(">I", struct.unpack_from(">I", jsb, 40)[0] |
                                 FEATURE_INCOMPAT_REVOKE)
        self.write(self.jblocks[0], bytes(jsb))
        try:
            g = ctx.boot(disk=self.image)
            text = g.boot_text
            why = fsck(g)
            if why:
                return text, "after the kernel's replay " + why
            got = {}
            for name in self.home:
                data = debugfs(g.image, f"cat /j{name}")
                got[name] = data[:1] if data == data[:1] * self.bsize else data[:8]
            return text, got
        finally:
            self.image.unlink()


def replayed(ctx, transactions, want, what):
    """A check's body: a Journal of the files in want with transactions
    logged, the kernel boots; each file must hold want's byte."""
    j = Journal(ctx, list(want))
    for t in transactions:
        j.transaction(*t)
    text, got = j.boot(ctx)
    if isinstance(got, str):
        return got
    wrong = [f"/j{n} holds {got[n]!r}, not {want[n]!r}" for n in want if got[n] != want[n]]
    if wrong:
        said = re.findall(r"journal: .*", text)
        return f"{what}: " + "; ".join(wrong) + (f" (the kernel said: {said[-1]})" if said else "")
    return None


# Journals the grader writes: transactions (sequence relative to the
# journal's, {file: its new byte}, the files whose blocks it revokes, the
# sequence of its commit block relative to its own or None for none), what
# each file must hold after the replay, and what the case is.
CASES = {
    "replay": ([(0, {"A": b"a", "B": b"a"}), (1, {"B": b"b"})], {"A": b"a", "B": b"b"},
               "two committed transactions (A:=a B:=a, then B:=b) must both be replayed, in "
               "order"),
    "uncommitted": ([(0, {"A": b"a"}), (1, {"B": b"b"}, (), None)], {"A": b"a", "B": b"o"},
                    "a committed transaction (A:=a), then one with no commit block (B:=b): "
                    "only the first may be replayed"),
    "commit-sequence": ([(0, {"A": b"a"}), (1, {"B": b"b"}, (), -3)], {"A": b"a", "B": b"o"},
                        "a committed transaction (A:=a), then one (B:=b) whose commit block "
                        "carries a sequence 3 lower than its descriptor: that is not its "
                        "commit, only the first may be replayed"),
    "stale": ([(0, {"A": b"a"}), (-3, {"B": b"b"})], {"A": b"a", "B": b"o"},
              "a committed transaction (A:=a), then an old one's blocks, commit block and all "
              "(B:=b, sequence 3 lower): the log ends where the sequence breaks"),
    "revoke": ([(0, {"A": b"a", "B": b"a"}), (1, {"C": b"c"}, ["B"])],
               {"A": b"a", "B": b"o", "C": b"c"},
               "A:=a B:=a, then a transaction revoking B's block (and C:=c): B's logged copy "
               "must not be replayed"),
}


def case(name):
    transactions, want, what = CASES[name]
    return lambda ctx: replayed(ctx, transactions, want, what)


CHECKS = [
    Check("order", "commit order: journal start, log, FLUSH, commit block, FLUSH, checkpoint, "
          "FLUSH, empty journal", 3, order, limit=40),
    Check("crashes", f"{CRASHES} crashes in crashload: e2fsck clean, fsynced files intact", 2,
          crashes, limit=120),
    Check("replay", "replay applies every committed transaction, in order", 2, case("replay")),
    Check("uncommitted", "replay stops at a transaction without its commit block", 1,
          case("uncommitted")),
    Check("commit-sequence", "replay stops at a commit block of another sequence", 1,
          case("commit-sequence")),
    Check("stale", "replay stops where the sequence numbers break", 1, case("stale")),
    Check("revoke", "replay skips revoked blocks", 1, case("revoke")),
    Check("fsync", "a crash just after fsync returns keeps the file", 1, fsync_durable,
          limit=40, regression=True),
    Check("files", "usertests of the file system still pass", 1,
          usertests("fs", "bigfile", "manyfiles", "unlinkopen"), limit=60, regression=True),
]
