"""Automation use cases on the memory twins, the real RE2 and YAML adapters (pure, no I/O)
and a fixed clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from adapters.automation.patterns import Re2PatternEngine
from adapters.automation.yaml_codec import PyYamlCodec
from adapters.clock import FixedClock
from adapters.persistence.memory.automation import MemoryAutomationUnitOfWork
from adapters.persistence.memory.store import MemoryStore
from application.automation.ports import ParseLimits
from application.automation.use_cases.create_playbook import CreatePlaybook
from application.automation.use_cases.create_variable_type import CreateVariableType
from application.automation.use_cases.delete_playbook import DeletePlaybook
from application.automation.use_cases.export_playbook import ExportPlaybook
from application.automation.use_cases.get_playbook import GetPlaybook
from application.automation.use_cases.install_examples import InstallExamples
from application.automation.use_cases.list_playbooks import ListPlaybooks
from application.automation.use_cases.replace_variable_type import ReplaceVariableType
from application.automation.use_cases.update_playbook import UpdatePlaybook
from application.automation.use_cases.validate_value import ValidateValue
from application.automation.validation import ValueValidator
from domain.shared.access import Actor, Role
from domain.shared.ids import new_id

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


@dataclass
class Kit:
    store: MemoryStore = field(default_factory=MemoryStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    yaml: PyYamlCodec = field(default_factory=PyYamlCodec)

    def __post_init__(self) -> None:
        self.validator = ValueValidator(Re2PatternEngine(), self.yaml, ParseLimits())

    def uow(self) -> MemoryAutomationUnitOfWork:
        return MemoryAutomationUnitOfWork(self.store)

    def actor(self, role: Role = Role.CLIENT) -> Actor:
        actor = Actor(user_id=new_id(), role=role)
        self.store.tables.setdefault("users", {})[actor.user_id] = object()
        return actor

    def create_playbook(self) -> CreatePlaybook:
        return CreatePlaybook(self.uow(), self.clock)

    def get_playbook(self) -> GetPlaybook:
        return GetPlaybook(self.uow())

    def list_playbooks(self) -> ListPlaybooks:
        return ListPlaybooks(self.uow())

    def update_playbook(self) -> UpdatePlaybook:
        return UpdatePlaybook(self.uow(), self.clock)

    def delete_playbook(self) -> DeletePlaybook:
        return DeletePlaybook(self.uow(), self.clock)

    def export_playbook(self) -> ExportPlaybook:
        return ExportPlaybook(self.uow(), self.yaml)

    def create_type(self) -> CreateVariableType:
        return CreateVariableType(self.uow(), self.clock, self.validator)

    def replace_type(self) -> ReplaceVariableType:
        return ReplaceVariableType(self.uow(), self.clock, self.validator)

    def validate(self) -> ValidateValue:
        return ValidateValue(self.uow(), self.validator)

    def install_examples(self) -> InstallExamples:
        return InstallExamples(self.uow(), self.clock)


@pytest.fixture
def kit() -> Kit:
    return Kit()
