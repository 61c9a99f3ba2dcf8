"""/metrics' memory gauges read this very process: its resident memory, SQLite's heap
(which an operator watches fill to the page caches' limit) and Python's blocks."""

from __future__ import annotations

import ctypes
import sqlite3
import subprocess
import sys

from ivr.runtime import memory


def test_sqlite_heap_follows_what_sqlite_holds() -> None:
    before = memory.sqlite_heap_bytes()
    assert before is not None, "sqlite3_memory_used was not found in Python's SQLite"
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (x TEXT)")
    con.executemany("INSERT INTO t VALUES (?)", [("x" * 100,) for _ in range(20000)])
    held = memory.sqlite_heap_bytes()
    assert held is not None and held > before + 1_000_000  # 2 MB of rows in its pages
    con.close()
    after = memory.sqlite_heap_bytes()
    assert after is not None and after < held - 1_000_000  # given back with the connection


def test_exposition_names_each_gauge_once_with_a_value() -> None:
    lines = memory.exposition()
    values = {ln.split()[0]: int(ln.split()[1]) for ln in lines if not ln.startswith("#")}
    names = {
        "hotline_resident_memory_bytes",
        "hotline_resident_anonymous_bytes",
        "hotline_resident_file_bytes",
        "hotline_malloc_in_use_bytes",
        "hotline_malloc_free_held_bytes",
        "hotline_sqlite_heap_bytes",
        "hotline_python_blocks",
    }
    assert set(values) == names
    assert values["hotline_resident_memory_bytes"] > 10_000_000  # a Python process is never this small
    parts = values["hotline_resident_anonymous_bytes"] + values["hotline_resident_file_bytes"]
    assert 0.8 < parts / values["hotline_resident_memory_bytes"] <= 1.01  # the two make (nearly) the whole
    assert all(f"# TYPE {name} gauge" in lines for name in values)


def test_the_anonymous_part_grows_with_what_the_process_allocates() -> None:
    before = memory.resident_parts()["anonymous"]
    held = bytearray(64 * 1024 * 1024)
    held[::4096] = b"x" * len(held[::4096])  # touch every page: resident now
    grown = memory.resident_parts()["anonymous"]
    del held
    assert grown - before > 60 * 1024 * 1024


def test_the_c_heap_in_use_follows_a_native_allocation_and_its_free() -> None:
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    before = memory.malloc_bytes()["in_use"]
    blocks = [libc.malloc(4096) for _ in range(4096)]  # 16 MiB in small blocks, as a leak would be
    held = memory.malloc_bytes()["in_use"]
    for block in blocks:
        libc.free(block)
    after = memory.malloc_bytes()
    assert held - before >= 16 * 1024 * 1024
    assert after["in_use"] < held - 15 * 1024 * 1024
    assert after["free_held"] >= 0


FRAGMENTED = """
import ctypes
from ivr.runtime import memory
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.malloc.argtypes = [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
freed, kept = [], []
for _ in range(512):  # 32 MiB, resident, each block followed by a small one still in use
    block = libc.malloc(65536)
    libc.memset(block, 1, 65536)
    freed.append(block)
    kept.append(libc.malloc(64))
for block in freed:
    libc.free(block)  # free, but glibc keeps the pages: nothing above them can shrink the heap
held = memory.resident_parts()["anonymous"]
released = memory.give_back_freed()
print(held - memory.resident_parts()["anonymous"], released)
"""


def test_freed_memory_glibc_holds_is_given_back() -> None:
    # A fresh interpreter: glibc's thresholds move with what a process freed before.
    out = subprocess.run([sys.executable, "-c", FRAGMENTED], capture_output=True, text=True, check=True)
    dropped, said = (int(x) for x in out.stdout.split())
    assert dropped > 24 * 1024 * 1024  # the freed pages left the resident memory
    assert abs(said - dropped) < 1024 * 1024  # and give_back_freed says how much (to a few pages)


def test_the_trimming_task_gives_back_once_enough_is_held() -> None:
    import asyncio

    async def run() -> None:
        task = asyncio.create_task(memory.keep_giving_back_freed(every=0.01, at_least=0))
        await asyncio.sleep(0.1)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(run())
