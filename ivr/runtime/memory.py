"""The service's memory, for /metrics: what it holds in all, and the two heaps
that can grow with use (SQLite's page caches and Python's objects), so an
operator can tell a cache filling up to its limit from a leak.

SQLite keeps up to `cache_size` pages per connection (2,000 KiB by default) and
fills it as the database grows: a long-running service's resident memory rises
by a few MiB over its first hours and then stays. Python's allocated blocks
keep rising only if something keeps objects alive.
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib
import logging
import os
import sys
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

_PAGE = os.sysconf("SC_PAGE_SIZE")


@cache
def _c_function(library: str | None, name: str, restype: Any, *argtypes: Any) -> Any | None:
    """A C function of `library` (None: this process's C library), typed, if it has it."""
    try:
        fn = getattr(ctypes.CDLL(library), name)
    except (OSError, AttributeError):
        return None
    fn.restype = restype
    fn.argtypes = list(argtypes)
    return fn


def _sqlite_memory_used() -> Any | None:
    """sqlite3_memory_used() of the very SQLite Python's sqlite3 module runs on (linked to
    it or built into it: a symbol lookup on the module's handle searches both), if found."""
    try:
        library = importlib.import_module("_sqlite3").__file__
    except (ImportError, AttributeError):  # no sqlite3, or one built into Python
        return None
    return _c_function(library, "sqlite3_memory_used", ctypes.c_int64)


def resident_bytes() -> int | None:
    """This process's resident memory (Linux /proc), or None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def resident_parts() -> dict[str, int]:
    """The resident memory's parts (Linux /proc/self/status, bytes): "anonymous"
    (heaps and stacks: what a leak grows) and "file" (mapped files: libraries and
    the Korean analyser's models, resident as their pages are first read, never
    beyond the files' size)."""
    parts = {}
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssFile"):
                    parts["anonymous" if key == "RssAnon" else "file"] = int(value.split()[0]) * 1024
    except (OSError, ValueError, IndexError):
        return {}
    return parts


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    ]


def _mallinfo2() -> Any | None:
    """glibc's mallinfo2() (2.33 and later; Debian 12 has 2.36), if this C library has it."""
    return _c_function(None, "mallinfo2", _MallInfo2)


def malloc_bytes() -> dict[str, int]:
    """The C heap, all threads' arenas together: "in_use" (what native code and
    Python's larger objects hold) and "free_held" (freed chunks malloc keeps
    for reuse; a trim gives their pages back but leaves the chunks counted). A
    resident memory that creeps while in_use stays level is the allocator
    keeping freed memory, not a leak."""
    fn = _mallinfo2()
    if fn is None:
        return {}
    info = fn()
    return {"in_use": info.uordblks + info.hblkhd, "free_held": info.fordblks}


TRIM_EVERY_SECONDS = 600.0
TRIM_AT_LEAST_BYTES = 8 * 1024 * 1024


def _malloc_trim() -> Any | None:
    return _c_function(None, "malloc_trim", ctypes.c_int, ctypes.c_size_t)


def give_back_freed() -> int:
    """Have glibc return the pages of the free memory it holds to the system;
    how much the resident memory went down by (0 where there is no malloc_trim).
    The freed chunks stay in malloc's lists, so "free_held" does not drop."""
    fn = _malloc_trim()
    if fn is None:
        return 0
    before = resident_parts().get("anonymous", 0)
    fn(0)
    return max(0, before - resident_parts().get("anonymous", 0))


async def keep_giving_back_freed(
    every: float = TRIM_EVERY_SECONDS, at_least: int = TRIM_AT_LEAST_BYTES
) -> None:
    """Every `every` seconds, where glibc holds `at_least` freed bytes, give them
    back (in a thread: it locks each arena while it walks it). In the 10,000-call
    soak the memory in use stayed level while the freed memory glibc kept grew
    by about 1 MiB per 10 minutes (docs/bench.md): the resident memory crept
    without a leak."""
    while True:
        await asyncio.sleep(every)
        if malloc_bytes().get("free_held", 0) >= at_least:
            released = await asyncio.to_thread(give_back_freed)
            log.debug("gave %.1f MiB of freed memory back to the system", released / 1048576)


def sqlite_heap_bytes() -> int | None:
    fn = _sqlite_memory_used()
    return None if fn is None else int(fn())


def exposition() -> list[str]:
    """Prometheus lines for the gauges that can be read here."""
    figures = [
        ("hotline_resident_memory_bytes", "The service's resident memory.", resident_bytes()),
        *(
            (f"hotline_resident_{part}_bytes", f"The service's resident memory: its {part} part.", value)
            for part, value in resident_parts().items()
        ),
        *(
            (
                f"hotline_malloc_{part}_bytes",
                f"The C heap (glibc malloc, all arenas): {part.replace('_', ' ')}.",
                value,
            )
            for part, value in malloc_bytes().items()
        ),
        (
            "hotline_sqlite_heap_bytes",
            "Memory SQLite holds (page caches, statements): grows to the caches' limit, then stays.",
            sqlite_heap_bytes(),
        ),
        ("hotline_python_blocks", "Python objects' memory blocks allocated now.", sys.getallocatedblocks()),
    ]
    lines: list[str] = []
    for name, text, value in figures:
        if value is not None:
            lines += [f"# HELP {name} {text}", f"# TYPE {name} gauge", f"{name} {value}"]
    return lines
