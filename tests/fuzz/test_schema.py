"""The Schemathesis tier: the whole OpenAPI document, every check, on both profiles.

Each test starts Atelier itself (``tests/fuzz/support.py``: migrations, an administrator,
uvicorn on a free port) and runs ``schemathesis run`` against it with every check on
(``--checks all``: no 5xx, status codes, content types, headers and bodies as documented,
schema-valid requests accepted and schema-violating ones refused, ``Allow`` on 405, auth
required where documented...) and every phase (examples, coverage, fuzzing, stateful). Any
failure fails the test with Schemathesis' report (each failure with a ``curl`` to replay it).

``ATELIER_FUZZ_MAX_EXAMPLES`` (default 5) sets the cases per operation and
``ATELIER_FUZZ_PHASES`` the phases (default all four). ``nox -s fuzz`` (in the default run) is
bounded: 5 cases per operation, phases examples, fuzzing and stateful; ``nox -s fuzz-long``
adds the coverage phase (every boundary and every way to violate each constraint, some 5,000
requests a profile) and 100 cases per operation.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.fuzz.support import ALL_PHASES, run_schemathesis, serve, settings_for
from tests.support.services import free_port

pytestmark = pytest.mark.slow

MAX_EXAMPLES = int(os.environ.get("ATELIER_FUZZ_MAX_EXAMPLES", "5"))
SEED = os.environ.get("ATELIER_FUZZ_SEED")
PHASES = os.environ.get("ATELIER_FUZZ_PHASES", ALL_PHASES)


@pytest.fixture(params=["embedded", "production"])
def served_values(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    if request.param == "embedded":
        return settings_for("embedded", tmp_path)
    return settings_for(
        "production",
        tmp_path,
        database_url=request.getfixturevalue("postgres_url"),
        redis_url=request.getfixturevalue("redis_url"),
        s3_endpoint=request.getfixturevalue("s3_endpoint"),
    )


def test_the_whole_schema_holds(served_values: dict[str, str], tmp_path: Path) -> None:
    with serve(served_values, tmp_path, free_port()) as served:
        started = time.monotonic()
        result = run_schemathesis(
            served, max_examples=MAX_EXAMPLES, phases=PHASES, seed=int(SEED) if SEED else None
        )
        seconds = time.monotonic() - started
        server_log = served.log.read_text(errors="replace")
    summary = result.stdout[result.stdout.rfind("SUMMARY") :]
    print(
        f"\n{served_values['profile']}: {seconds:.0f} s, max examples {MAX_EXAMPLES}, "
        f"phases {PHASES}\n{summary}"
    )
    assert result.returncode == 0, f"{result.stdout[-60_000:]}\n{result.stderr[-5_000:]}"
    assert "unhandled_exception" not in server_log, server_log[-10_000:]
