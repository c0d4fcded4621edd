"""Take the network away from a query process, below any check of the query's text.

The guard refuses ``SERVICE`` politely, but it reads the query with its own scanner; were it
ever to read a query differently from the engine, the engine would follow ``SERVICE`` over
HTTP. So, unless the operator allows federation, each query process moves itself into a new,
empty network namespace as it starts (Linux ``unshare(CLONE_NEWNET)``; without the privilege
for that, a new user namespace first). There only a loopback device exists, and it is down: no
connection can be made to this machine or any other, whatever the query says. The pipe to the
web process was opened before and keeps working. See docs/architecture.md.
"""

from __future__ import annotations

import ctypes
import errno
import os
import resource
import sys

from ..errors import KgError

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

#: What the query processes were confined to, for /health: "network namespace" or "none".
NETWORK_NAMESPACE = "network namespace"
NONE = "none"


class SandboxError(KgError):
    """The query processes could not be confined, and the settings require it."""


def _unshare(flags: int) -> int:
    """Call unshare(2); return 0, or the errno it failed with."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) == 0:
        return 0
    return ctypes.get_errno()


def _map_ids(uid: int, gid: int) -> None:
    """In a new user namespace, keep our own uid and gid (files stay readable as before)."""
    with open("/proc/self/setgroups", "w") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w") as handle:
        handle.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as handle:
        handle.write(f"{gid} {gid} 1")


def isolate_network() -> str:
    """Move this process into an empty network namespace; say what it is confined to."""
    if not sys.platform.startswith("linux"):
        return NONE
    failed = _unshare(CLONE_NEWNET)
    if failed == errno.EPERM:  # not privileged: a user namespace gives the right to it
        uid, gid = os.getuid(), os.getgid()
        failed = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
        if not failed:
            _map_ids(uid, gid)
    return NONE if failed else NETWORK_NAMESPACE


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space at `megabytes` beyond what it has now (the dataset it
    loaded, its imports), so that one query or validation cannot take the machine's memory
    (issue 11, finding 7), whatever the data's size: past it, allocation fails and the process
    dies or raises MemoryError, and the pool answers its client 503 and replaces it. 0: no cap.
    The hard limit is set too: the work cannot raise it again."""
    if megabytes > 0:
        limit = (megabytes << 20) + memory_now()[0]
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def memory_now() -> tuple[int, int]:
    """Bytes of this process's (address space, resident pages) now (Linux: /proc/self/statm;
    elsewhere 0, 0)."""
    try:
        with open("/proc/self/statm") as statm:
            size, resident = statm.read().split()[:2]
    except OSError:
        return 0, 0
    return int(size) * resource.getpagesize(), int(resident) * resource.getpagesize()
