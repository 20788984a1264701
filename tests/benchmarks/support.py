"""Shared plumbing of the benchmark scripts: scratch databases, uvicorn servers in
subprocesses, and a load generator (``wrk`` with a Lua script when installed, else a Python
asyncio + httpx one) that reports latency percentiles and answers per status code.

Every target is a list of requests (method, path, body); ``cycle=False`` sends each request
at most once (the run ends early when they are used up), ``cycle=True`` picks them at random.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def require_loopback(*urls: str) -> None:
    for url in urls:
        if not any(host in url for host in LOOPBACK):
            raise SystemExit(f"only loopback services are allowed, not {url}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def scratch_database(admin_url: str, prefix: str = "atelier_bench") -> Iterator[str]:
    """A new PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(
    app: str,
    port: int,
    workers: int,
    env: dict[str, str],
    health: str = "/health/live",
    log_path: Path | None = None,
) -> Iterator[str]:
    """``uvicorn --factory <app>`` on loopback; yields the base URL once ``health`` answers.
    With ``log_path``, the server's stderr (its log lines) goes to that file."""
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--log-level", "warning",
        "--no-access-log", "--no-server-header",
    ]  # fmt: skip
    log_file = open(log_path, "wb") if log_path is not None else None  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=log_file)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base + health, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log_file is not None:
            log_file.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within 60 s")


# -- CPU per request (Linux /proc) -----------------------------------------------------------
@dataclass(frozen=True)
class CpuShare:
    """CPU milliseconds per answered request over one measurement, by whom.

    ``server``: the server process and its workers; ``services``: every PostgreSQL and Redis
    process of the machine (the benchmarks' services are local, so their CPU in the window is
    the load's); ``load``: the load generator (this process and the ``wrk`` it waited for).
    On a machine whose speed varies from one hour to the next these figures move far less
    than req/s, and with the core count they bound a closed-loop run: while the cores are
    saturated, N connections wait on average N x ``total`` / cores milliseconds.
    """

    server: float
    services: float
    load: float

    @property
    def total(self) -> float:
        return self.server + self.services + self.load

    def floor_ms(self, connections: int, cores: int) -> float:
        return connections * self.total / max(1, cores)


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_SERVICES = (b"postgres", b"redis-server")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from the state on (the name may hold spaces)


def _watched(root: int) -> tuple[list[int], list[int]]:
    """``root`` with its descendants, and the local services' processes: one walk of /proc."""
    children: dict[int, list[int]] = {}
    services = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or (fields := _stat(pid := int(entry))) is None:
            continue
        children.setdefault(int(fields[1]), []).append(pid)
        try:
            program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            continue
        if any(name in program for name in _SERVICES):
            services.append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, ()))
    return tree, services


def _cpu(pids: Sequence[int]) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        if (fields := _stat(pid)) is not None:  # utime + stime, in clock ticks
            seconds[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    return seconds


def _own_cpu() -> float:
    import resource

    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class CpuMeter:
    """CPU spent across a ``with`` block by a server's process tree, the local services and
    the load generator; ``share(requests)`` afterwards (``None`` without ``/proc``).

    Processes that exit inside the block are not counted; new ones count from zero.
    """

    def __init__(self, server_pid: int) -> None:
        self._pid = server_pid
        self._spent: tuple[float, float, float] | None = None

    def __enter__(self) -> CpuMeter:
        self._live = Path("/proc/self/stat").exists()
        if self._live:
            tree, services = _watched(self._pid)
            self._before = (_cpu(tree), _cpu(services), _own_cpu())
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._live:
            return
        tree, services = _watched(self._pid)
        server_before, services_before, load_before = self._before
        self._spent = (
            _spent(_cpu(tree), server_before),
            _spent(_cpu(services), services_before),
            _own_cpu() - load_before,
        )

    def share(self, requests: int) -> CpuShare | None:
        if self._spent is None:
            return None
        n = max(1, requests)
        server, services, load = self._spent
        return CpuShare(1000 * server / n, 1000 * services / n, 1000 * load / n)


def _spent(after: dict[int, float], before: dict[int, float]) -> float:
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: str | None = None


@dataclass
class Target:
    name: str
    base: str
    requests: Sequence[Request]
    headers: dict[str, str] = field(default_factory=dict)
    cycle: bool = True


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    timeouts: int = 0
    socket_errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def tool_choice(wanted: str) -> str:
    if wanted == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    if wanted == "auto":
        if shutil.which("wrk"):
            return "wrk"
        print("NOTE: wrk is not installed (Debian: apt-get install -y wrk); "
              "falling back to the Python asyncio+httpx load generator, which competes with "
              "the server for CPU and reports lower figures.")  # fmt: skip
        return "python"
    return wanted


def measure(target: Target, tool: str, seconds: int, connections: int) -> Result:
    if tool == "wrk":
        return _wrk(target, seconds, connections)
    return asyncio.run(_python(target, seconds, connections))


# -- wrk ------------------------------------------------------------------------------------
_LUA = """
local items = {%(items)s}
local cycle = %(cycle)s
local nthreads = %(threads)d
local counter = 0
local made = 0
local setup_id = 0
local threads = {}
%(headers)s
function setup(thread)
  thread:set("tid", setup_id)
  setup_id = setup_id + 1
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
  mine = {}
  for i = 1, #items do
    if cycle or (i - 1) %% nthreads == tid then table.insert(mine, items[i]) end
  end
  n200, n503, nother, answered = 0, 0, 0, 0
end
function request()
  local item
  if cycle then
    item = mine[math.random(#mine)]
  else
    counter = counter + 1
    item = mine[math.min(counter, #mine)]
  end
  return wrk.format(item[1], item[2], nil, item[3])
end
function response(status, headers, body)
  answered = answered + 1
  if status >= 200 and status < 300 then n200 = n200 + 1
  elseif status == 503 then n503 = n503 + 1
  else nother = nother + 1 end
  if not cycle and answered >= #mine then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + (t:get("n200") or 0); b = b + (t:get("n503") or 0); c = c + (t:get("nother") or 0)
  end
  io.write(string.format("STATUS 2xx=%%d 503=%%d other=%%d\\n", a, b, c))
  io.write(string.format("PCT p50=%%d p99=%%d\\n", latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def _wrk(target: Target, seconds: int, connections: int) -> Result:
    threads = max(1, min(4, os.cpu_count() or 1, connections))
    items = ",".join(
        "{" + ",".join([_lua_string(r.method), _lua_string(r.path),
                        _lua_string(r.body) if r.body is not None else "nil"]) + "}"
        for r in target.requests
    )  # fmt: skip
    headers = "\n".join(
        f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in target.headers.items()
    )
    script = _LUA % {
        "items": items,
        "cycle": "true" if target.cycle else "false",
        "threads": threads,
        "headers": headers,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
             "--timeout", "10s", "-s", handle.name, target.base],
            capture_output=True, text=True, timeout=seconds + 60, check=True,
        ).stdout  # fmt: skip
    finally:
        Path(handle.name).unlink(missing_ok=True)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    status = re.search(r"STATUS 2xx=(\d+) 503=(\d+) other=(\d+)", output)
    pct = re.search(r"PCT p50=(\d+) p99=(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if not (total and status and pct):
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    unit = {"ms": 0.001, "s": 1.0, "m": 60.0}.get(total.group(3), 1.0)
    return Result(
        requests=int(total.group(1)),
        seconds=float(total.group(2)) * unit,
        p50_ms=int(pct.group(1)) / 1000,
        p99_ms=int(pct.group(2)) / 1000,
        statuses={"2xx": int(status.group(1)), "503": int(status.group(2)),
                  "other": int(status.group(3))},
        timeouts=int(sockets.group(4)) if sockets else 0,
        socket_errors=sum(int(sockets.group(i)) for i in (1, 2, 3)) if sockets else 0,
    )  # fmt: skip


# -- Python fallback ------------------------------------------------------------------------
async def _python(target: Target, seconds: int, connections: int) -> Result:
    import httpx

    latencies: list[float] = []
    statuses = {"2xx": 0, "503": 0, "other": 0}
    timeouts = errors = 0
    queue = list(target.requests)
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=target.base, limits=limits, timeout=10) as client:
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal timeouts, errors
            while time.perf_counter() < stop:
                if target.cycle:
                    item = random.choice(target.requests)
                elif queue:
                    item = queue.pop()
                else:
                    return
                started = time.perf_counter()
                try:
                    answer = await client.request(
                        item.method, item.path, content=item.body, headers=target.headers
                    )
                except httpx.TimeoutException:
                    timeouts += 1
                    continue
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - started) * 1000)
                code = answer.status_code
                key = "2xx" if 200 <= code < 300 else "503" if code == 503 else "other"
                statuses[key] += 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - began
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return Result(len(latencies) + timeouts + errors, elapsed, pct(0.50), pct(0.99), statuses,
                  timeouts, errors)  # fmt: skip
