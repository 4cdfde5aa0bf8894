"""The service's own CPU time, from /proc: what relaying a token costs, independent of wall time.

    python -m bench.cpu PID            # cumulative CPU seconds of PID and its descendants (workers)

In a run: `before = cpu_seconds(pid)`, relay the streams, then
`per_thousand_tokens(cpu_seconds(pid) - before, tokens)` with `tokens` = streams ended `done` times the
fake provider's `--reply-tokens`. Measure a stretch with streams only (no wrk load alongside), or the
CRUD requests' CPU counts too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": the comm may hold spaces


def _descendants(pid: int) -> list[int]:
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
    for process in _descendants(pid):
        try:
            fields = _stat_fields(process)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))
    return ticks / TICKS_PER_SECOND


def per_thousand_tokens(cpu: float, tokens: int) -> float | None:
    return cpu / tokens * 1000 if tokens else None


if __name__ == "__main__":
    print(f"{cpu_seconds(int(sys.argv[1])):.2f}")
