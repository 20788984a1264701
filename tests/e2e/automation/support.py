"""Users of each role and shortcuts through the HTTP API for the automation e2e tests."""

from __future__ import annotations

import time
from typing import Any

import httpx

from domain.shared.access import Role
from tests.e2e.identity.support import Api, Session

API = "/api/v1"


class Desk:
    admin: Session
    manager: Session
    tech: Session
    client_user: Session
    other_client: Session

    def __init__(self, api: Api) -> None:
        self.api = api
        self.client = api.client

    @classmethod
    async def open(cls, api: Api) -> Desk:
        desk = cls(api)
        desk.admin = await api.session(Role.ADMIN)
        desk.manager = await api.session(Role.MANAGER)
        desk.tech = await api.session(Role.TECHNICIAN)
        desk.client_user = await api.session(Role.CLIENT)
        desk.other_client = await api.session(Role.CLIENT)
        return desk

    async def call(
        self, who: Session | None, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if who is not None:
            headers.update(who.headers)
        response = await self.client.request(method, f"{API}{path}", headers=headers, **kwargs)
        assert response.status_code != 500, response.text
        return response

    async def ok(self, who: Session, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = await self.call(who, method, path, **kw)
        assert response.status_code == status, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    async def timed(
        self, who: Session, method: str, path: str, **kw: Any
    ) -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        response = await self.call(who, method, path, **kw)
        return response, time.perf_counter() - started
