"""CPU time and memory of a process, from /proc (all its threads together)."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat's fields from the third (the state) on."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) may hold spaces: count fields after its ')'.
    return stat[stat.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds the process has used so far."""
    fields = _fields(pid)
    return (int(fields[11]) + int(fields[12])) / _TICKS


def group_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by every live process in `pid`'s process group
    (Kamailio: its main process and the workers it forked)."""
    group = _fields(pid)[2]
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = _fields(entry.name)
            except (OSError, ValueError):
                continue  # gone meanwhile
            if fields[2] == group:
                total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def memory_kib(pid: int) -> dict[str, int]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), in KiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0])
    return out


def machine_seconds() -> dict[str, float]:
    """The whole machine's CPU time so far, all cores (/proc/stat's first line):
    busy, waiting for the disk (iowait) and taken by the hypervisor (steal). On
    a shared virtual machine, steal and iowait say whether a slow run was ours."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, iowait, irq, softirq, steal = fields[:8]
    return {
        "busy": (user + nice + system + irq + softirq) / _TICKS,
        "iowait": iowait / _TICKS,
        "steal": steal / _TICKS,
    }
