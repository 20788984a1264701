"""The benchmarks' CPU accounting (``tests/benchmarks/support.py``): what it reads from
``/proc`` is the CPU of the server's process tree, divided per answered request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.benchmarks.support import CpuMeter, CpuShare

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")

# a parent that starts a child (sharing its stdout); each says "ready", burns 0.4 s of CPU,
# says "done" and waits for its stdin to close
_BUSY = """
import subprocess, sys, time
child = None
if sys.argv[1] == "parent":
    child = subprocess.Popen([sys.executable, "-c", sys.argv[2], "child", sys.argv[2]],
                             stdin=subprocess.PIPE)
print("ready", flush=True)
end = time.process_time() + 0.4
while time.process_time() < end:
    pass
print("done", flush=True)
sys.stdin.read()
if child is not None:
    child.stdin.close()
    child.wait()
"""


def test_a_server_tree_s_cpu_is_shared_per_request() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", _BUSY, "parent", _BUSY],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    assert server.stdin is not None
    try:
        assert server.stdout.readline().strip() == "ready"  # the parent's: the child is started
        with CpuMeter(server.pid) as meter:
            done = 0
            while done < 2:  # the child's "ready", then both "done", in any order
                line = server.stdout.readline()
                assert line, "the busy processes ended early"
                done += line.strip() == "done"
        share = meter.share(requests=10)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    assert share is not None
    # both loops ran in the block (0.8 s, a little of the parent's maybe before it): per
    # request of 10, more than the parent alone could have spent (40 ms), and not much more
    # than both (80 ms, plus the child's start)
    assert 60.0 <= share.server <= 120.0
    assert share.load < share.server  # this process only waited


def test_the_floor_is_connections_times_cpu_over_cores() -> None:
    share = CpuShare(server=4.0, services=3.5, load=0.5)
    assert share.total == 8.0
    assert share.floor_ms(connections=16, cores=2) == 64.0
    assert share.floor_ms(connections=16, cores=0) == 128.0  # no cores read: one
