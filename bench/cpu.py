"""The service's own CPU time, from /proc: what relaying a token costs, independent of wall time.

    python -m bench.cpu PID            # cumulative CPU seconds of PID and its descendants (workers)

In a run (`python -m bench streams` does this per stream level): read `cpu_seconds(pid)` and the bench
fake's count of chunks sent (bench/fake_llm.py, GET /stats on its control port) at both ends of a
stretch with the streams only (no wrk load alongside, or the CRUD requests' CPU counts too), then
`per_thousand_tokens(cpu delta, chunks delta)`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": the comm may hold spaces


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (the workers of `jarlpm serve --workers N`)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # ended meanwhile
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(parents.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by `pid` and its live descendants."""
    ticks = 0
    for process in descendants(pid):
        try:
            fields = _stat_fields(process)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / TICKS_PER_SECOND


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its live descendants, summed (pages the forked workers still share
    with their fork server count once per process, so with workers this is an upper bound)."""
    kilobytes = 0
    for process in descendants(pid):
        try:
            status = Path(f"/proc/{process}/status").read_text()
        except OSError:
            continue
        kilobytes += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return kilobytes / 1024


def per_thousand_tokens(cpu: float, tokens: int) -> float | None:
    return cpu / tokens * 1000 if tokens else None


if __name__ == "__main__":
    print(f"{cpu_seconds(int(sys.argv[1])):.2f}")
