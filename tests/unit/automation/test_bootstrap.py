"""The automation module's composition: its settings checks, its start-up work (examples on
the memory profile, the preload job queued when a Galaxy URL is set) and its jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from application.automation.use_cases.list_variable_types import ListVariableTypesQuery
from domain.automation.variable_types import EXAMPLES
from domain.shared.access import Actor, Role
from domain.shared.ids import new_id
from entrypoints.bootstrap.automation import PRELOAD_JOB, startup
from entrypoints.bootstrap.container import shutdown, start
from entrypoints.bootstrap.settings import SettingsError, load_settings
from tests.e2e.conftest import make_container


async def test_memory_profile_installs_the_examples_and_queues_the_preload(
    tmp_path: Path,
) -> None:
    container: Any = make_container(
        tmp_path, galaxy_url="http://127.0.0.1:9/api/v3", queue="memory"
    )
    await start(container)
    try:
        await startup(container.automation)
        await startup(container.automation)  # idempotent
        page = await container.automation.list_variable_types()(
            ListVariableTypesQuery(actor=Actor(user_id=new_id(), role=Role.CLIENT), limit=200)
        )
        names = [t.name for t in page.items]
        assert names == ["string", "int", "bool", "list", "dict", *sorted(e.name for e in EXAMPLES)]
        queue = container.job_queue()
        assert await queue.depth() == 1  # two start-ups in the same ten minutes: one job
        jobs = container.job_registry()
        assert PRELOAD_JOB in jobs
    finally:
        await shutdown(container)


@pytest.mark.parametrize(
    ("setting", "value", "variable"),
    [
        ("galaxy_url", "ftp://x", "ATELIER_GALAXY_URL"),
        ("galaxy_retries", 9, "ATELIER_GALAXY_RETRIES"),
        ("galaxy_cache_ttl_seconds", 0, "ATELIER_GALAXY_CACHE_TTL_SECONDS"),
        ("galaxy_preload_cron", "every day", "ATELIER_GALAXY_PRELOAD_CRON"),
        ("galaxy_enrich_per_minute", 0, "ATELIER_GALAXY_ENRICH_PER_MINUTE"),
    ],
)
def test_bad_settings_name_their_variable(
    tmp_path: Path, setting: str, value: Any, variable: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({}, env_file=tmp_path / "none", **{setting: value})
    assert variable in str(refused.value)


def test_settings_from_the_environment(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "ATELIER_GALAXY_URL": "https://hub.example/api/galaxy/v3",
            "ATELIER_GALAXY_POPULAR_NAMESPACES": "community, ansible",
            "ATELIER_GALAXY_CACHE_TTL_SECONDS": "600",
        },
        env_file=tmp_path / "none",
    )
    from entrypoints.bootstrap.automation import AutomationSettings

    section = settings.section(AutomationSettings)
    assert section.galaxy_popular_namespaces == ["community", "ansible"]
    assert section.galaxy_cache_ttl_seconds == 600
