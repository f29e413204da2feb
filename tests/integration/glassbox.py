"""Glassbox integration-test harness: boot the kernel in QEMU, drive its console.

Python 3 standard library only. A Guest boots build/kernel/kernel.elf on a
private copy of build/fs.img, with the serial console on pipes, and lets a test
type (send), wait for output (expect) and run shell commands (run). Everything
the guest prints is saved to build/test-logs/<test>.log as it arrives.

    with Guest("echo") as g:
        g.boot()                       # waits for the first "$ " prompt
        out = g.run("echo hello world")
        g.check("hello world" in out.splitlines(), "echo printed something else")

Tests are plain functions registered with @test and collected by run.py.
"""

import codecs
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("BUILD", "build"))
if not BUILD.is_absolute():
    BUILD = ROOT / BUILD
KERNEL = BUILD / "kernel" / "kernel.elf"
FSIMG = BUILD / "fs.img"
LOGDIR = BUILD / "test-logs"
QEMU = os.environ.get("QEMU", "qemu-system-riscv32")



def machine_args(kernel, disk=None):
    """QEMU's options for the guest's machine, from scripts/qemu.args (the one
    place for them), with the kernel and the disk image filled in; without a
    disk, the lines after [disk] are left out."""
    args = []
    for line in (ROOT / "scripts" / "qemu.args").read_text().splitlines():
        if line.startswith("#") or not line:
            continue
        if line == "[disk]":
            if disk is None:
                break
            continue
        args += (line.replace("{kernel}", str(kernel)).replace("{disk}", str(disk))
                 .replace("{format}", "raw").split(" ", 1))
    return args


BOOT_TIMEOUT = 10.0
# The shell's prompt "$ " at the start of a line.
PROMPT_RE = re.compile(r"(?:^|\n)\$ ")
# The kernel must never panic in a test: expect() stops at once when it does.
PANIC_RE = re.compile(r"panic")

# ---------------------------------------------------------------------------
# Test registry


class TestCase:
    def __init__(self, func, name, timeout, boot, disk):
        self.func = func
        self.name = name
        self.timeout = timeout      # hard cap for the whole test, seconds
        self.boot = boot            # boot to the first prompt before calling func
        self.disk = disk            # None: build/fs.img; else a function making the image


TESTS = []


def test(name=None, timeout=45.0, boot=True, disk=None):
    """Register an integration test: a function taking one booted Guest.

    timeout bounds the whole test (every expect is cut short by it); with
    boot=False the function gets a Guest that is started but not yet booted.
    disk, if given, is called with a scratch path and must write the disk
    image the guest boots with there.
    """
    def register(func):
        TESTS.append(TestCase(func, name or func.__name__, timeout, boot, disk))
        return func
    return register


# ---------------------------------------------------------------------------
# Failures


class GuestError(AssertionError):
    """A test failure; carries the transcript so far."""

    def __init__(self, message, transcript=""):
        super().__init__(message)
        self.message = message
        self.transcript = transcript


def panic_line(text, m):
    """The whole line around match m, as 'the kernel panicked: <line>'."""
    start = text.rfind("\n", 0, m.start()) + 1
    end = text.find("\n", m.end())
    return "the kernel panicked: " + text[start:end if end >= 0 else len(text)].strip()


def tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])


# ---------------------------------------------------------------------------
# The guest

_live = weakref.WeakSet()      # guests whose QEMU may still run (closed at exit)


def close_all():
    for g in list(_live):
        g.close()


class Guest:
    """One QEMU running Glassbox, console on pipes."""

    def __init__(self, name, kernel=KERNEL, disk=FSIMG, extra_args=(),
                 log_dir=LOGDIR, hard_timeout=None):
        self.name = name
        self.kernel = Path(kernel)
        self.disk = Path(disk) if disk is not None else None
        self.extra_args = list(extra_args)
        self.log_path = Path(log_dir) / (name + ".log")
        self.deadline = time.monotonic() + hard_timeout if hard_timeout else None
        self.image = None           # the private copy of the disk image
        self.proc = None
        self.boot_text = ""         # everything before the first prompt
        self.boot_seconds = None    # start of QEMU to first prompt
        self._text = ""             # transcript, '\r' removed
        self._pos = 0               # expect() searches from here
        self._eof = False
        self._cond = threading.Condition()
        self._reader = None
        self._log = None
        self._started_at = None
        self.fail_re = PANIC_RE     # output that ends any expect() at once (None: off)

    # -- life cycle ---------------------------------------------------------

    def start(self):
        if not self.kernel.is_file():
            raise GuestError(f"kernel not built: {self._rel(self.kernel)} is missing (run `make`)")
        if shutil.which(QEMU) is None:
            raise GuestError(f"{QEMU} not found (run scripts/setup.sh)")
        if self.disk is not None:
            if not self.disk.is_file():
                raise GuestError(f"disk image not built: {self._rel(self.disk)} is missing (run `make`)")
            fd, tmp = tempfile.mkstemp(prefix=f"glassbox-{self.name}-", suffix=".img")
            os.close(fd)
            self.image = Path(tmp)
            shutil.copyfile(self.disk, self.image)
        args = ([QEMU] + machine_args(self.kernel, self.image if self.disk is not None else None)
                + ["-serial", "stdio", "-monitor", "none"] + self.extra_args)
        # QEMU dies with us even if we are SIGKILLed (setpriv sets PDEATHSIG).
        setpriv = shutil.which("setpriv")
        cmd = ([setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []) + args
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8", errors="replace")
        self._log.write("# " + " ".join(args) + "\n")
        self._log.flush()
        self._started_at = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0,
                                     start_new_session=True, cwd=ROOT)
        _live.add(self)
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name=f"qemu-reader-{self.name}")
        self._reader.start()
        return self

    def boot(self, timeout=BOOT_TIMEOUT):
        """Wait for the first shell prompt; returns the text printed before it."""
        if self.proc is None:
            self.start()
        m = self.expect(PROMPT_RE, timeout, what="the first shell prompt '$ ' after boot")
        self.boot_text = self._text[:m.start()]
        self.boot_seconds = time.monotonic() - self._started_at
        return self.boot_text

    def stop(self):
        """Kill QEMU (always; never leaves it running). The image stays."""
        p = self.proc
        if p is not None and p.poll() is None:
            for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
                try:
                    os.killpg(p.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    p.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if p is not None:
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
            if p.stdin:
                try:
                    p.stdin.close()
                except OSError:
                    pass
        if self._reader is not None:
            self._reader.join(5)

    def close(self):
        """Kill QEMU, close the log, delete the private disk image."""
        self.stop()
        _live.discard(self)
        if self.proc is not None and self.proc.stdout:
            self.proc.stdout.close()
        if self._log is not None and not self._log.closed:
            self._log.close()
        if self.image is not None and not os.environ.get("GLASSBOX_KEEP_IMAGES"):
            try:
                self.image.unlink()
            except FileNotFoundError:
                pass
            self.image = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- console output -----------------------------------------------------

    def _read_loop(self):
        dec = codecs.getincrementaldecoder("utf-8")(errors="replace")
        fd = self.proc.stdout.fileno()
        while True:
            try:
                data = os.read(fd, 4096)
            except OSError:
                data = b""
            text = dec.decode(data, final=not data).replace("\r", "")
            with self._cond:
                if text:
                    self._text += text
                    if not self._log.closed:
                        self._log.write(text)
                        self._log.flush()
                if not data:
                    self._eof = True
                self._cond.notify_all()
            if not data:
                return

    @property
    def transcript(self):
        with self._cond:
            return self._text

    def mark(self):
        """Position in the transcript now (for output_since)."""
        with self._cond:
            return len(self._text)

    def output_since(self, mark):
        with self._cond:
            return self._text[mark:]

    def fail(self, message):
        raise GuestError(message, self.transcript)

    def check(self, cond, message):
        if not cond:
            self.fail(message)

    def expect(self, pattern, timeout=10.0, what=None):
        """Wait for pattern (a compiled regex, or plain text) in new output.

        Returns the re.Match and moves the search position past it; raises
        GuestError with the transcript on timeout or if QEMU exits.
        """
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        what = what or (repr(rx.pattern) if isinstance(pattern, re.Pattern) else repr(pattern))
        if self.proc is None:
            self.fail(f"expect {what}: QEMU is not running")
        deadline = time.monotonic() + timeout
        capped = self.deadline is not None and self.deadline < deadline
        if capped:
            deadline = self.deadline
        with self._cond:
            while True:
                bad = self.fail_re.search(self._text) if self.fail_re else None
                if bad:
                    # Let the rest (registers, backtrace) arrive, then stop.
                    settle = time.monotonic() + 2
                    n = -1
                    while n != len(self._text) and not self._eof and time.monotonic() < settle:
                        n = len(self._text)
                        self._cond.wait(0.3)
                    raise GuestError(f"{panic_line(self._text, bad)} (while waiting for {what})",
                                     self._text)
                m = rx.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    return m
                if self._eof:
                    rc = self.proc.poll()
                    if rc is None:
                        try:
                            rc = self.proc.wait(2)
                        except subprocess.TimeoutExpired:
                            rc = "?"
                    raise GuestError(f"QEMU exited (status {rc}) while waiting for {what}",
                                     self._text)
                left = deadline - time.monotonic()
                if left <= 0:
                    if capped:
                        msg = f"test time limit reached while waiting for {what}"
                    else:
                        msg = f"timed out after {timeout:g}s waiting for {what}"
                    raise GuestError(msg, self._text)
                self._cond.wait(left)

    # -- console input ------------------------------------------------------

    def send(self, text, chunk=4, delay=0.01):
        """Type text on the console, a few characters at a time."""
        if self.proc is None or self.proc.poll() is not None:
            self.fail(f"send {text!r}: QEMU is not running")
        data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        for i in range(0, len(data), chunk):
            try:
                self.proc.stdin.write(data[i:i + chunk])
            except (BrokenPipeError, OSError) as e:
                self.fail(f"send {text!r}: {e}")
            if i + chunk < len(data):
                time.sleep(delay)

    def run(self, cmd, timeout=30.0):
        """Type cmd and Enter, wait for the next prompt; return the output between
        (without the echoed command line and without the prompt)."""
        self.expect_nothing_pending()
        start = self.mark()
        self.send(cmd + "\n")
        m = self.expect(PROMPT_RE, timeout, what=f"the prompt after `{cmd}`")
        with self._cond:
            out = self._text[start:m.start()]
        first, _, rest = out.partition("\n")
        return rest

    def expect_nothing_pending(self):
        """Move the search position to the end (forget unread output)."""
        with self._cond:
            self._pos = len(self._text)

    # -- disk ---------------------------------------------------------------

    def fsck(self):
        """Stop QEMU and run `e2fsck -fn` on the guest's disk: (status, output)."""
        self.stop()
        if self.image is None:
            self.fail("fsck: no disk image")
        e2fsck = shutil.which("e2fsck") or "/sbin/e2fsck"
        r = subprocess.run([e2fsck, "-fn", str(self.image)], capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr

    @staticmethod
    def _rel(p):
        try:
            return str(Path(p).relative_to(ROOT))
        except ValueError:
            return str(p)


def image_file(path, image=FSIMG):
    """The contents of a file in the (pristine) disk image, read with debugfs,
    or None if it cannot be read."""
    debugfs = shutil.which("debugfs") or "/sbin/debugfs"
    try:
        r = subprocess.run([debugfs, "-R", f"cat {path}", str(image)],
                           capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0 or b"File not found" in r.stderr:
        return None
    return r.stdout.decode("utf-8", errors="replace")
