"""A small workshop for the maintenance e2e tests: users of each role logged in, and
shortcuts that go through the HTTP API (never around it) to build technicians, equipment
and interventions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from domain.shared.access import Role
from tests.e2e.identity.support import Api, Session

API = "/api/v1"


def tag() -> str:
    """A unique word, so filters and the automatic assignment only meet this test's data."""
    return f"t{uuid.uuid4().hex[:10]}"


def monday(weeks_ahead: int = 2) -> date:
    """A Monday at least ``weeks_ahead`` weeks from today (working hours are Mon-Fri 8-17)."""
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC).isoformat()


def iso(value: str) -> datetime:
    return datetime.fromisoformat(value)


class Workshop:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.client = api.client

    @classmethod
    async def open(cls, api: Api) -> Workshop:
        shop = cls(api)
        shop.admin = await api.session(Role.ADMIN)
        shop.manager = await api.session(Role.MANAGER)
        shop.tech = await api.session(Role.TECHNICIAN)
        shop.other_tech = await api.session(Role.TECHNICIAN)
        shop.client_user = await api.session(Role.CLIENT)
        shop.other_client = await api.session(Role.CLIENT)
        return shop

    admin: Session
    manager: Session
    tech: Session
    other_tech: Session
    client_user: Session
    other_client: Session

    async def call(
        self, who: Session | None, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if who is not None:
            headers.update(who.headers)
        response = await self.client.request(method, f"{API}{path}", headers=headers, **kwargs)
        assert response.status_code < 500, response.text
        return response

    async def ok(self, who: Session, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = await self.call(who, method, path, **kw)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    # -- builders (through the API, as a manager) ----------------------------------------------
    async def technician_profile(
        self, who: Session, *, skills: list[str], specialty: str, level: str = "senior"
    ) -> dict[str, Any]:
        return await self.ok(  # type: ignore[no-any-return]
            self.manager,
            "POST",
            "/technicians",
            201,
            json={
                "user_id": who.user_id,
                "skills": skills,
                "specialty": specialty,
                "experience_level": level,
                "phone": "+33 1 23 45 67 89",
                "base_location": "Lyon",
            },
        )

    async def equipment(self, *, owner: Session | None = None, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": f"Press {tag()}",
            "type": "hydraulic press",
            "serial_number": f"SN-{uuid.uuid4().hex[:12]}",
            "location": "Hall A",
            "maintenance_interval_days": 90,
        }
        if owner is not None:
            body["owner_id"] = owner.user_id
        body.update(fields)
        return await self.ok(self.manager, "POST", "/equipment", 201, json=body)  # type: ignore[no-any-return]

    async def intervention(self, who: Session, equipment_id: str, **fields: Any) -> dict[str, Any]:
        body = {"title": "Leaking seal", "equipment_id": equipment_id, **fields}
        return await self.ok(who, "POST", "/interventions", 201, json=body)  # type: ignore[no-any-return]
