"""The GalaxyUpstream on httpx: the Ansible Galaxy v3 API at ``ATELIER_GALAXY_URL`` (the API
root, e.g. ``https://<galaxy server>/api/v3``; a private hub's ``.../api/galaxy/v3`` works
alike).

Every call has a connect and a read timeout; a connection failure, a timeout or a 5xx
answer is retried (``retries`` times, short backoff), then raised as
``UpstreamUnavailable``; a 404 is ``NotFound``; any other answer that is not the expected
JSON document is ``UpstreamUnavailable`` too. Answers are normalised to the catalogue's
shapes here, so the rest of the module does not know the v3 documents.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from application.automation.ports import GalaxyUpstream, Json, UpstreamUnavailable
from domain.shared.errors import NotFound

INDEX = "plugin/ansible/content/published/collections/index"
MAX_ANSWER_BYTES = 4 * 1024 * 1024
BACKOFF_SECONDS = 0.2


def _text(value: Any, limit: int = 2000) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _namespace(item: Mapping[str, Any]) -> Json:
    return {
        "name": _text(item.get("name"), 200),
        "company": _text(item.get("company"), 200),
        "description": _text(item.get("description")),
        "avatar_url": _text(item.get("avatar_url"), 2000),
    }


def _collection(item: Mapping[str, Any]) -> Json:
    highest = item.get("highest_version")
    version = highest.get("version") if isinstance(highest, Mapping) else None
    return {
        "namespace": _text(item.get("namespace"), 200),
        "name": _text(item.get("name"), 200),
        "latest_version": _text(version, 100),
        "deprecated": bool(item.get("deprecated", False)),
        "download_count": _int(item.get("download_count")),
        "created_at": _text(item.get("created_at"), 64),
        "updated_at": _text(item.get("updated_at"), 64),
    }


def _page(document: Json, convert: Any) -> Json:
    if not isinstance(document, Mapping) or not isinstance(document.get("data"), list):
        raise UpstreamUnavailable("the upstream answered an unexpected document")
    meta = document.get("meta")
    total = _int(meta.get("count")) if isinstance(meta, Mapping) else 0
    items = [convert(i) for i in document["data"] if isinstance(i, Mapping)]
    return {"items": items, "total": max(total, len(items))}


class HttpxGalaxyUpstream(GalaxyUpstream):
    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout_seconds: float = 2.0,
        read_timeout_seconds: float = 5.0,
        retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._base = base_url.rstrip("/") + "/" if base_url else ""
        self._retries = max(0, retries)
        timeout = httpx.Timeout(
            read_timeout_seconds, connect=connect_timeout_seconds, pool=connect_timeout_seconds
        )
        self._client = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "atelier-catalogue"},
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Json:
        if not self._base:
            raise UpstreamUnavailable("ATELIER_GALAXY_URL is not set")
        query = {k: v for k, v in (params or {}).items() if v is not None}
        url = self._base + path
        last = "no attempt"
        for attempt in range(self._retries + 1):
            if attempt:
                await asyncio.sleep(BACKOFF_SECONDS * attempt)
            try:
                response = await self._client.get(url, params=query)
            except httpx.HTTPError as exc:  # connect error, timeout, protocol error
                last = f"{type(exc).__name__}"
                continue
            if response.status_code >= 500:
                last = f"HTTP {response.status_code}"
                continue
            if response.status_code == 404:
                raise NotFound("Galaxy has no such item.")
            if response.status_code != 200 or len(response.content) > MAX_ANSWER_BYTES:
                raise UpstreamUnavailable(f"the upstream answered HTTP {response.status_code}")
            try:
                return response.json()
            except ValueError as exc:
                raise UpstreamUnavailable("the upstream answered something not JSON") from exc
        raise UpstreamUnavailable(f"the upstream failed {self._retries + 1} times ({last})")

    async def namespaces(self, *, q: str | None, limit: int, offset: int) -> Json:
        document = await self._get("namespaces/", {"limit": limit, "offset": offset, "keywords": q})
        return _page(document, _namespace)

    async def collections(self, namespace: str, *, q: str | None, limit: int, offset: int) -> Json:
        document = await self._get(
            f"{INDEX}/",
            {"namespace": namespace, "limit": limit, "offset": offset, "keywords": q},
        )
        return _page(document, _collection)

    async def collection(self, namespace: str, name: str) -> Json:
        document = await self._get(f"{INDEX}/{namespace}/{name}/")
        if not isinstance(document, Mapping):
            raise UpstreamUnavailable("the upstream answered an unexpected document")
        detail = _collection(document)
        detail.update(description=None, tags=[], dependencies={}, modules=[])
        version = detail["latest_version"]
        if version:
            try:
                found = await self._get(f"{INDEX}/{namespace}/{name}/versions/{version}/")
            except NotFound:
                found = None
            if isinstance(found, Mapping):
                meta = found.get("metadata") if isinstance(found.get("metadata"), Mapping) else {}
                assert isinstance(meta, Mapping)
                detail["description"] = _text(meta.get("description"))
                tags = meta.get("tags")
                detail["tags"] = (
                    [t for t in tags if isinstance(t, str)][:50] if isinstance(tags, list) else []
                )
                deps = meta.get("dependencies") or found.get("dependencies")
                detail["dependencies"] = (
                    {str(k): str(v) for k, v in deps.items()} if isinstance(deps, Mapping) else {}
                )
                contents = meta.get("contents") or found.get("contents") or []
                detail["modules"] = [
                    {"name": _text(c.get("name"), 200), "description": _text(c.get("description"))}
                    for c in contents
                    if isinstance(c, Mapping) and c.get("content_type") == "module"
                ][:1000]
        return detail
