"""Corrupt disk images: the offending operation fails with an error, the
kernel neither panics nor hangs, and the shell carries on."""

import shutil
import struct
import subprocess

from glassbox import FSIMG, test

BLOCK = 1024
DEBUGFS = shutil.which("debugfs") or "/sbin/debugfs"


def debugfs(image, *commands):
    args = [DEBUGFS, "-w"]
    for c in commands:
        args += ["-R", c]
    subprocess.run(args + [image], check=True, capture_output=True, timeout=30)


def first_block(image, path):
    r = subprocess.run([DEBUGFS, "-R", f"bmap {path} 0", image], check=True,
                       capture_output=True, text=True, timeout=30)
    return int(r.stdout.strip())


def patch(image, offset, fmt, value):
    with open(image, "r+b") as f:
        f.seek(offset)
        f.write(struct.pack(fmt, value))


def readme_block_past_end(image):
    shutil.copyfile(FSIMG, image)
    debugfs(image, "sif /README block[0] 9999999")


def bad_dir_bad_rec_len(image):
    shutil.copyfile(FSIMG, image)
    # the second entry of /bad ("..") gets a record length of 0
    block = first_block(image, "/bad")
    patch(image, block * BLOCK + 12 + 4, "<H", 0)


def no_init(image):
    shutil.copyfile(FSIMG, image)
    debugfs(image, "rm /bin/init")


def bad_entry_inode_out_of_range(image):
    shutil.copyfile(FSIMG, image)
    # the third entry of /bad (the first file) names inode 9999999
    block = first_block(image, "/bad")
    patch(image, block * BLOCK + 24, "<I", 9999999)


def directory_loop(image):
    shutil.copyfile(FSIMG, image)
    # /bad/up is a second name for the root directory: a loop in the tree
    debugfs(image, "ln / /bad/up")


def shell_still_answers(g):
    g.check("still here" in g.run("echo still here"), "the shell stopped answering")


@test(disk=readme_block_past_end)
def block_pointer_past_the_end(g):
    out = g.run("cat /README")
    g.check("corrupt" in out, "reading a file whose block pointer is past the disk should fail clearly")
    g.check("block pointer past the end of the disk" in out, "the kernel should say what is corrupt")
    shell_still_answers(g)


@test(disk=bad_dir_bad_rec_len)
def directory_entry_with_bad_rec_len(g):
    out = g.run("ls /bad")
    g.check("bad rec_len" in out, "a directory entry with rec_len 0 should be reported")
    out = g.run("cat /bad/wx")
    g.check("corrupt" in out, "a lookup through the corrupt directory should fail clearly")
    shell_still_answers(g)


@test(boot=False, disk=no_init)
def missing_init_powers_off(g):
    g.expect("init: cannot exec /bin/init: no such file or directory; powering off", timeout=10)
    try:
        rc = g.proc.wait(10)
    except Exception:
        g.fail("QEMU still runs after init could not start")
    g.check(rc != 0, f"QEMU exited with status {rc}; expected a failure status")


@test(disk=bad_entry_inode_out_of_range)
def directory_entry_inode_out_of_range(g):
    out = g.run("cat /bad/badmagic")
    g.check("out of range" in out, "an entry naming inode 9999999 should be reported")
    shell_still_answers(g)


@test(disk=directory_loop)
def loop_in_the_directory_tree(g):
    out = g.run("ls /bad/up/bad/up/bad/up/bin")
    g.check("sh" in out.split(), "paths through a directory loop should still resolve")
    g.run("cd /bad/up/bad/up")
    g.check("README" in g.run("ls").split(), "cd through the loop should land in the root")
