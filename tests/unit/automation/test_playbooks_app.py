"""Playbook use cases on the memory twins; the export property over generated playbooks."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from application.automation.use_cases.create_playbook import CreatePlaybookCommand
from application.automation.use_cases.delete_playbook import DeletePlaybookCommand
from application.automation.use_cases.export_playbook import ExportPlaybookQuery, filename_for
from application.automation.use_cases.get_playbook import GetPlaybookQuery
from application.automation.use_cases.list_playbooks import ListPlaybooksQuery
from application.automation.use_cases.update_playbook import UpdatePlaybookCommand
from domain.automation.content import depth_of
from domain.shared.access import Role
from domain.shared.errors import NotFound, PreconditionFailed, TooLarge, ValidationFailed
from tests.unit.automation.conftest import Kit
from tests.unit.automation.strategies import playbook_content


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=playbook_content)
async def test_export_loads_back_to_the_same_structure(content: dict[str, Any]) -> None:
    kit = Kit()
    owner = kit.actor()
    made = await kit.create_playbook()(
        CreatePlaybookCommand(actor=owner, name="generated", content=content)
    )
    exported = await kit.export_playbook()(ExportPlaybookQuery(actor=owner, playbook_id=made.id))
    assert yaml.safe_load(exported.yaml) == content
    assert kit.yaml.load(exported.yaml, kit_limits()) == content


def kit_limits() -> Any:
    from application.automation.ports import ParseLimits

    return ParseLimits(max_bytes=10**7, max_depth=64, max_nodes=10**6)


async def test_owner_only_and_admin_sees_all(kit: Kit) -> None:
    owner, other, admin = kit.actor(), kit.actor(Role.MANAGER), kit.actor(Role.ADMIN)
    made = await kit.create_playbook()(
        CreatePlaybookCommand(actor=owner, name="mine", content={"a": 1})
    )
    with pytest.raises(NotFound):
        await kit.get_playbook()(GetPlaybookQuery(actor=other, playbook_id=made.id))
    with pytest.raises(NotFound):
        await kit.update_playbook()(
            UpdatePlaybookCommand(actor=other, playbook_id=made.id, name="theirs")
        )
    with pytest.raises(NotFound):
        await kit.delete_playbook()(DeletePlaybookCommand(actor=other, playbook_id=made.id))
    assert (await kit.get_playbook()(GetPlaybookQuery(actor=admin, playbook_id=made.id))).id
    theirs = await kit.list_playbooks()(ListPlaybooksQuery(actor=other))
    assert theirs.total == 0
    peek = await kit.list_playbooks()(ListPlaybooksQuery(actor=other, owner_id=owner.user_id))
    assert peek.total == 0
    everyone = await kit.list_playbooks()(ListPlaybooksQuery(actor=admin))
    assert [p.id for p in everyone.items] == [made.id]


async def test_versions_and_if_match(kit: Kit) -> None:
    owner = kit.actor()
    made = await kit.create_playbook()(CreatePlaybookCommand(actor=owner, name="a", content={}))
    changed = await kit.update_playbook()(
        UpdatePlaybookCommand(
            actor=owner, playbook_id=made.id, content={"x": 1}, expected_version=1
        )
    )
    assert changed.version == 2
    with pytest.raises(PreconditionFailed):
        await kit.update_playbook()(
            UpdatePlaybookCommand(actor=owner, playbook_id=made.id, name="b", expected_version=1)
        )
    reordered = await kit.update_playbook()(
        UpdatePlaybookCommand(actor=owner, playbook_id=made.id, content={"x": 1})
    )
    assert reordered.version == 2  # the same content: no change, no new version
    with pytest.raises(PreconditionFailed):
        await kit.delete_playbook()(
            DeletePlaybookCommand(actor=owner, playbook_id=made.id, expected_version=1)
        )
    await kit.delete_playbook()(DeletePlaybookCommand(actor=owner, playbook_id=made.id))
    with pytest.raises(NotFound):
        await kit.get_playbook()(GetPlaybookQuery(actor=owner, playbook_id=made.id))


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


async def test_content_limits(kit: Kit) -> None:
    owner = kit.actor()
    assert depth_of(_nested(32)) == 32
    await kit.create_playbook()(CreatePlaybookCommand(actor=owner, name="d", content=_nested(32)))
    with pytest.raises(ValidationFailed) as deep:
        await kit.create_playbook()(
            CreatePlaybookCommand(actor=owner, name="d", content=_nested(33))
        )
    assert deep.value.errors[0].field == "content"
    with pytest.raises(TooLarge) as big:
        await kit.create_playbook()(
            CreatePlaybookCommand(actor=owner, name="b", content={"a": "é" * (128 * 1024)})
        )
    assert big.value.errors[0].field == "content"
    with pytest.raises(ValidationFailed) as blank:
        await kit.create_playbook()(CreatePlaybookCommand(actor=owner, name="  ", content={}))
    assert blank.value.errors[0].field == "name"
    with pytest.raises(ValidationFailed):
        await kit.create_playbook()(
            CreatePlaybookCommand(actor=owner, name="n", content={"a": "nul\x00"})
        )


def test_export_file_names() -> None:
    assert filename_for("Deploy web/1") == "Deploy-web-1.yml"
    assert filename_for("../../etc/passwd") == "etc-passwd.yml"
    assert filename_for("東京") == "playbook.yml"
    assert filename_for('a"b;c') == "a-b-c.yml"
