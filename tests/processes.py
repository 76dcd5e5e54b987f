"""Process helpers: process trees for the interruption tests (read from /proc, Linux), and the
package files a fresh process loads."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def descendants(pid: int) -> set[int]:
    """Every process whose chain of parents leads to `pid`."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def command(pid: int) -> bytes:
    """A process's command line, or b'' once it is gone."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    """Whether a process still runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def socket_inodes(pid: int) -> set[str]:
    """The sockets a process holds open (`socket:[inode]`), or none once it is gone."""
    found = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return found
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


def package_files_loaded_by(*modules: str) -> set[Path]:
    """The files of every innobarometer module a fresh Python process loads when it imports
    `modules` (what code a step of the build really runs)."""
    code = (
        f"import sys, {', '.join(modules)}\n"
        "print(' '.join(sorted(m.__file__ for n, m in sys.modules.items() "
        "if n.startswith('innobarometer'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return {Path(f).resolve() for f in loaded}
