"""The README's recipe for a module, followed in a copy of the project: a throwaway module
``notes`` (one package per layer, its tables, a route, an event it publishes and handles, a
job) works after changing exactly two shared files: the registry and pyproject.toml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FILES = {
    "domain/notes/__init__.py": '''
        """A note: the throwaway module's domain."""
        from dataclasses import dataclass


        @dataclass(frozen=True)
        class Note:
            text: str
    ''',
    "application/contracts/notes.py": '''
        """What the notes module publishes."""
        from dataclasses import dataclass
        from typing import ClassVar

        from application.shared.integration import IntegrationEvent


        @dataclass(frozen=True, kw_only=True, slots=True)
        class NoteTaken(IntegrationEvent):
            NAME: ClassVar[str] = "notes.note_taken.v1"
            text: str
    ''',
    "application/notes/__init__.py": '''
        """The notes use cases."""
        from datetime import UTC, datetime
        from typing import Any

        from application.contracts.notes import NoteTaken
        from application.shared.audit import AuditEntry
        from application.shared.handlers import EventHandler
        from application.shared.integration import Delivery, Subscription
        from application.shared.uow import UnitOfWork
        from domain.notes import Note
        from domain.shared.ids import new_id


        class TakeNote:
            def __init__(self, uow: UnitOfWork) -> None:
                self._uow = uow

            async def __call__(self, text: str) -> Note:
                note = Note(text)
                async with self._uow as uow:
                    uow.emit(NoteTaken(text=text), occurred_at=datetime.now(UTC))
                    await uow.commit()
                return note


        class FileNote(EventHandler[NoteTaken, UnitOfWork]):
            async def handle(self, event: NoteTaken, uow: UnitOfWork, d: Delivery[Any]) -> None:
                await uow.audit.record(AuditEntry(actor_id=None, entity_type="note",
                    entity_id=d.event_id, action="filed", changes={"text": [None, event.text]},
                    at=datetime.now(UTC), id=new_id()))


        SUBSCRIPTIONS = [Subscription(NoteTaken, handler="notes.file", use_case="file_note")]
    ''',
    "adapters/persistence/sqlalchemy/notes/__init__.py": '"""Notes on SQL."""\n',
    "adapters/persistence/sqlalchemy/notes/tables.py": '''
        """The notes table."""
        import sqlalchemy as sa

        from adapters.persistence.sqlalchemy.metadata import metadata, uuid_pk

        notes = sa.Table("notes", metadata, uuid_pk(), sa.Column("text", sa.Text(), nullable=False))
    ''',
    "entrypoints/bootstrap/notes.py": '''
        """The notes module's spec."""
        from typing import Any

        import msgspec
        from dependency_injector import containers, providers

        from adapters.persistence.memory.store import MemoryUnitOfWork
        from application.contracts.notes import NoteTaken
        from application.notes import SUBSCRIPTIONS, FileNote, TakeNote
        from application.shared.jobs import JobDefinition
        from entrypoints.bootstrap.module import ModuleSpec


        class NotesSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
            notes_greeting: str = "hello"


        class NotesContainer(containers.DeclarativeContainer):
            platform = providers.DependenciesContainer()
            config = providers.Dependency(instance_of=NotesSettings)
            uow = providers.Factory(
                MemoryUnitOfWork, platform.database, outbox_signal=platform.outbox_signal
            )
            take_note = providers.Factory(TakeNote, uow)
            file_note = providers.Factory(FileNote, uow)


        def _jobs(container: Any) -> list[JobDefinition]:
            async def tidy(ctx: Any, payload: Any) -> Any:
                return "tidy"
            return [JobDefinition("notes.tidy", tidy)]


        MODULE = ModuleSpec(name="notes", container=NotesContainer, settings=NotesSettings,
            publishes=[NoteTaken], subscriptions=SUBSCRIPTIONS, jobs=_jobs,
            tables="adapters.persistence.sqlalchemy.notes.tables")
    ''',
    "entrypoints/http/notes/__init__.py": '''
        """The notes routes."""
        from typing import Any

        from litestar import Router, get
        from litestar.datastructures import State

        from entrypoints.http.dependencies import module_use_case_provider

        use_case = module_use_case_provider("notes")


        @get("/notes/hello", dependencies={"take_note": use_case("take_note")})
        async def hello(take_note: Any, state: State) -> dict[str, str]:
            greeting = state.container.notes.config().notes_greeting
            note = await take_note(greeting)
            return {"note": note.text}


        router = Router(path="/", route_handlers=[hello])
    ''',
}

CHECK = """
import asyncio, pathlib
from litestar.testing import AsyncTestClient
from adapters.persistence.sqlalchemy.tables import load_all
from application.shared.audit import AuditFilters
from entrypoints.bootstrap.container import build_container
from entrypoints.bootstrap.settings import load_settings
from entrypoints.http.app import create_app

assert "notes" in load_all().tables
async def main():
    folder = pathlib.Path("var"); folder.mkdir(exist_ok=True)
    settings = load_settings({"ATELIER_NOTES_GREETING": "bonjour"}, env_file=folder / "none",
        data_dir=str(folder), persistence="memory", cache="memory", storage="memory",
        relay_poll_seconds=0.1)
    container = build_container(settings)
    assert "notes.tidy" in container.job_registry().definitions
    async with AsyncTestClient(create_app(container, background=True)) as client:
        answer = await client.get("/api/v1/notes/hello")
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"note": "bonjour"}
        for _ in range(100):
            entries, total = await container.audit_trail().list(
                AuditFilters(entity_type="note"), limit=5, offset=0)
            if total:
                break
            await asyncio.sleep(0.05)
        assert [e.changes["text"][1] for e in entries] == ["bonjour"]
    print("module works")
asyncio.run(main())
"""


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=folder, check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.slow
def test_a_module_added_by_the_recipe_touches_two_shared_files(tmp_path: Path) -> None:
    copy = tmp_path / "atelier"
    for name in _git(ROOT, "ls-files").splitlines():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "base")

    for name, text in FILES.items():
        path = copy / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    registry = copy / "entrypoints/bootstrap/registry.py"
    registry.write_text(
        registry.read_text().replace('    "maintenance",\n', '    "maintenance",\n    "notes",\n')
    )
    pyproject = copy / "pyproject.toml"
    lines = pyproject.read_text().splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.startswith("modules = ["):  # the independence contracts' lists only
            continue
        for layer in (
            "domain",
            "application",
            "adapters.persistence.sqlalchemy",
            "entrypoints.bootstrap",
            "entrypoints.http",
        ):
            line = line.replace(f'"{layer}.maintenance"', f'"{layer}.maintenance", "{layer}.notes"')
        lines[i] = line
    pyproject.write_text("".join(lines))

    changed = set(_git(copy, "diff", "--name-only").split())
    assert changed == {"entrypoints/bootstrap/registry.py", "pyproject.toml"}
    env = {**os.environ, "PYTHONPATH": str(copy)}
    env = {k: v for k, v in env.items() if not k.startswith("ATELIER_") or k == "PYTHONPATH"}
    bin_dir = Path(sys.executable).parent
    lint = subprocess.run(
        [str(bin_dir / "lint-imports")], cwd=copy, env=env, capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "notes" in (copy / "pyproject.toml").read_text()
    run = subprocess.run(
        [sys.executable, "-c", CHECK],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "module works" in run.stdout
