"""HTTP load with wrk (Debian's package): a C load generator in its own process, so the Python service
under test keeps both cores' worth of its own scheduling, and the figures are wrk's, not ours.

A generated Lua script picks a random bench user per request (their bearer token and epic), counts
responses by status, and prints one JSON line with the latency percentiles.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

ROUTES = {
    "list_epics": ("GET", "/api/epics"),
    "get_epic": ("GET", "/api/epics/{epic}"),
    "create_epic": ("POST", "/api/epics"),
    "list_features": ("GET", "/api/features/epic/{epic}"),
    "dashboard": ("GET", "/api/dashboard"),
    "list_initiatives": ("GET", "/api/initiatives"),
}

LUA = """
local tokens = {%(tokens)s}
local epics = {%(epics)s}
local method, template = "%(method)s", "%(path)s"
local body = %(body)s
statuses = {}  -- global: done() reads it from each thread with thread:get

request = function()
  local i = math.random(#tokens)
  local path = template:gsub("{epic}", epics[i])
  local headers = {["Authorization"] = "Bearer " .. tokens[i], ["Content-Type"] = "application/json"}
  return wrk.format(method, path, headers, body)
end

response = function(status, headers, response_body)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
setup = function(thread) table.insert(threads, thread) end

done = function(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do counts[status] = (counts[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%%d": %%d', status, n)) end
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "mean_us": %%.1f, ' ..
    '"socket_errors": %%d, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""


@dataclass
class LoadResult:
    route: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    socket_errors: int
    statuses: dict[str, int]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> int:
        return self.socket_errors + sum(n for status, n in self.statuses.items() if not status.startswith("2"))

    def as_dict(self) -> dict:
        return {**self.__dict__, "rps": round(self.rps, 1), "failed": self.failed}


def _lua(route: str, tokens: list[str], epics: list[str], *, method: str | None = None, path: str | None = None) -> str:
    route_method, route_path = ROUTES.get(route, (method, path))
    body = '\'{"title": "Load test epic"}\'' if route_method == "POST" else "nil"
    return LUA % {
        "tokens": ", ".join(f'"{token}"' for token in tokens),
        "epics": ", ".join(f'"{epic}"' for epic in epics),
        "method": route_method,
        "path": route_path,
        "body": body,
    }


def run(
    url: str,
    route: str,
    *,
    tokens: list[str],
    epics: list[str],
    connections: int,
    seconds: float,
    path: str | None = None,
) -> LoadResult:
    """wrk against `url` for `seconds` with `connections` open connections on 2 threads."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(route, tokens, epics, method="GET", path=path))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "30s", "-s", script.name, url]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next((line for line in output.splitlines() if line.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    data = json.loads(line[len("WRKJSON ") :])
    return LoadResult(
        route=route,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
        socket_errors=data["socket_errors"],
        statuses=data["statuses"],
    )
