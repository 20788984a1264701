"""Published ports between modules: documents imports maintenance's ``intervention_access``
and maintenance optionally imports documents' ``intervention_documents`` (a trailing ``?``):
without the documents module the report has no documents port, and nothing else breaks;
a required import nobody exports still stops the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.bootstrap.container import build_container, shutdown, start
from entrypoints.bootstrap.registry import modules
from entrypoints.bootstrap.settings import load_settings


def _settings(tmp_path: Path) -> object:
    return load_settings(
        {}, env_file=tmp_path / "none.env", data_dir=str(tmp_path), persistence="memory",
        storage="memory", cache="memory",
    )  # fmt: skip


async def test_the_report_has_the_documents_port_when_documents_is_installed(
    tmp_path: Path,
) -> None:
    container = build_container(_settings(tmp_path))  # type: ignore[arg-type]
    await start(container)
    try:
        report = container.maintenance.intervention_report()  # type: ignore[attr-defined]
        assert type(report._documents).__name__ == "ListInterventionDocuments"
        access = container.documents.intervention_access()  # type: ignore[attr-defined]
        assert type(access).__name__ == "MaintenanceInterventionAccess"
    finally:
        await shutdown(container)


async def test_without_documents_the_report_lists_none(tmp_path: Path) -> None:
    specs = [spec for spec in modules() if spec.name != "documents"]
    container = build_container(_settings(tmp_path), specs=specs)  # type: ignore[arg-type]
    await start(container)
    try:
        report = container.maintenance.intervention_report()  # type: ignore[attr-defined]
        assert report._documents is None
    finally:
        await shutdown(container)


def test_a_required_import_nobody_exports_stops_the_build(tmp_path: Path) -> None:
    specs = [spec for spec in modules() if spec.name != "maintenance"]
    with pytest.raises(RuntimeError, match=r"maintenance\.intervention_access"):
        build_container(_settings(tmp_path), specs=specs)  # type: ignore[arg-type]
    documents = next(spec for spec in modules() if spec.name == "documents")
    assert documents.imports == {"intervention_access": "maintenance.intervention_access"}
