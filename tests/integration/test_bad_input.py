"""Bad input: a disk that is not ext2 or uses a feature we lack (one made by
mke2fs -t ext4, one with metadata_csum: read-only), user faults,
malformed programs. The offender gets a clear message; nothing panics."""

import re
import shutil
import struct
import subprocess

from glassbox import FSIMG, test

SUPERBLOCK = 1024
INCOMPAT_OFFSET = SUPERBLOCK + 96      # s_feature_incompat
EXT4_EXTENTS = 0x40


def zero_disk(path):
    with open(path, "wb") as f:
        f.truncate(4 * 1024 * 1024)


def disk_with_extents_flag(path):
    shutil.copyfile(FSIMG, path)
    with open(path, "r+b") as f:
        f.seek(INCOMPAT_OFFSET)
        (incompat,) = struct.unpack("<I", f.read(4))
        f.seek(INCOMPAT_OFFSET)
        f.write(struct.pack("<I", incompat | EXT4_EXTENTS))


def expect_refused_and_powered_off(g, reason):
    g.expect("ext2: cannot mount the disk: " + reason, timeout=10)
    try:
        rc = g.proc.wait(10)
    except Exception:
        g.fail("QEMU still runs after the kernel refused the disk (it should power off)")
    g.check(rc != 0, f"QEMU exited with status {rc}; a refused disk should exit non-zero")


@test(boot=False, disk=zero_disk)
def disk_not_ext2_is_refused(g):
    expect_refused_and_powered_off(g, "not an ext2 file system (bad magic)")


@test(boot=False, disk=disk_with_extents_flag)
def disk_with_unknown_feature_is_refused(g):
    expect_refused_and_powered_off(g, "the file system uses an incompatible feature we do not implement")


def mke2fs(image, *options):
    """A disk made by mke2fs from the same files as build/fs.img."""
    mkfs = shutil.which("mke2fs") or "/sbin/mke2fs"
    subprocess.run([mkfs, "-q", "-F", "-b", "1024", *options, "-d", str(FSIMG.parent / "fsroot"),
                    str(image), "32M"], check=True, capture_output=True, timeout=60)


def ext4_disk(image):
    mke2fs(image, "-t", "ext4")   # extents, 64bit, flex_bg, metadata_csum, ...


def ext2_metadata_csum_disk(image):
    mke2fs(image, "-t", "ext2", "-I", "128", "-O", "none,filetype,sparse_super,metadata_csum")


@test(boot=False, disk=ext4_disk)
def mke2fs_ext4_disk_is_refused(g):
    """What mke2fs -t ext4 makes has incompatible features (extents, 64bit,
    flex_bg) we do not implement: refused with the reason, powered off."""
    expect_refused_and_powered_off(g, "the file system uses an incompatible feature we do not implement")


@test(boot=False, disk=ext2_metadata_csum_disk)
def metadata_csum_disk_mounts_read_only(g):
    """metadata_csum is read-only compatible: we could read the disk but
    would write wrong checksums, so it mounts read-only, says so, and every
    write fails with EROFS; the disk is unchanged for e2fsck."""
    g.boot()
    g.check(", read-only" in g.boot_text, "the boot banner should say the disk is mounted read-only")
    g.check("Glassbox" in g.run("cat /README"), "files should still read back")
    out = g.run("echo hello > /new")
    g.check("read-only file system" in out, f"a write should fail with EROFS, got: {out.strip()}")
    rc, out = g.fsck()
    g.check(rc == 0, f"e2fsck -fn exited {rc}:\n{out.strip()}")


@test()
def user_fault_kills_only_the_offender(g):
    """Each fault in usertests' `faults` test prints one line naming pid, name,
    cause, sepc and stval; the shell carries on."""
    out = g.run("usertests faults", timeout=30)
    kill_line = re.compile(r"pid \d+ \(usertests\): killed by [a-z -]+, sepc=0x[0-9a-f]{8} stval=0x[0-9a-f]{8}")
    lines = kill_line.findall(out)
    g.check(len(lines) >= 3, f"expected a kill line per fault, got {len(lines)}")
    g.check("store page fault" in out and "illegal instruction" in out,
            "the kill lines should name the cause (store page fault, illegal instruction)")
    g.check("test faults: OK" in out, "usertests faults did not pass")
    g.check("ps" in g.run("echo ps"), "the shell stopped answering after the faults")


@test()
def malformed_program_is_refused_with_a_reason(g):
    """exec of a writable+executable segment and of a 64-bit ELF: the console
    says why, the shell reports the error and carries on."""
    out = g.run("/bad/wx")
    g.check("segment both writable and executable" in out, "no reason given for /bad/wx")
    g.check("exec format error" in out, "the shell did not report exec format error")
    out = g.run("/bad/class64")
    g.check("not a 32-bit ELF file" in out, "no reason given for /bad/class64")
    g.check("hello" in g.run("echo hello"), "the shell stopped answering")
