"""A local stand-in for the Ansible Galaxy v3 API, for tests and the benchmark (never the
internet).

``FakeGalaxy`` is a plain ASGI app serving the v3 documents the adapter reads:

* ``GET /api/v3/namespaces/?limit&offset&keywords``
* ``GET /api/v3/plugin/ansible/content/published/collections/index/?namespace&...``
* ``GET /api/v3/plugin/ansible/content/published/collections/index/{ns}/{name}/``
* ``GET /api/v3/plugin/ansible/content/published/collections/index/{ns}/{name}/versions/{v}/``

It can be made slow (``delay``), failing (``status`` = 500...) or down (``stop()``: the
port refuses connections), and counts the calls per path (``calls``). ``running_galaxy()``
serves it with uvicorn in a thread of its own on a free port.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from tests.support.services import free_port

INDEX = "/api/v3/plugin/ansible/content/published/collections/index/"
POPULAR = ["ansible", "community", "amazon"]


def _namespace(name: str) -> dict[str, Any]:
    return {
        "id": abs(hash(name)) % 10_000,
        "name": name,
        "company": f"{name.title()} Inc.",
        "email": "",
        "avatar_url": f"https://avatars.example/{name}.png",
        "description": f"The {name} namespace",
        "links": [],
    }


def _collection(namespace: str, name: str) -> dict[str, Any]:
    href = f"{INDEX}{namespace}/{name}/"
    return {
        "href": href,
        "namespace": namespace,
        "name": name,
        "deprecated": name.endswith("old"),
        "versions_url": f"{href}versions/",
        "highest_version": {"href": f"{href}versions/1.2.3/", "version": "1.2.3"},
        "created_at": "2024-01-02T03:04:05.000000Z",
        "updated_at": "2026-11-01T00:00:00.000000Z",
        "download_count": len(namespace) * 1000 + len(name),
    }


class FakeGalaxy:
    def __init__(self, extra_namespaces: int = 120) -> None:
        self.namespaces = POPULAR + [f"ns{i:03d}" for i in range(extra_namespaces)]
        self.delay = 0.0
        self.status: int | None = None
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def collections_of(self, namespace: str) -> list[str]:
        return (
            [f"{namespace}_tools", "general", "legacy_old"] if namespace in self.namespaces else []
        )

    @property
    def total_calls(self) -> int:
        with self._lock:
            return sum(self.calls.values())

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
        self.delay, self.status = 0.0, None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        with self._lock:
            self.calls[path] += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status is not None:
            await self._send(send, self.status, {"errors": [{"status": str(self.status)}]})
            return
        status, body = self._route(path, query)
        await self._send(send, status, body)

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, Any]:
        limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
        keywords = query.get("keywords", "").lower()
        if path == "/api/v3/namespaces/":
            names = [n for n in self.namespaces if keywords in n]
            return 200, self._page([_namespace(n) for n in names], limit, offset)
        if path == INDEX:
            namespace = query.get("namespace", "")
            names = [c for c in self.collections_of(namespace) if keywords in c]
            return 200, self._page([_collection(namespace, c) for c in names], limit, offset)
        if path.startswith(INDEX):
            parts = path[len(INDEX) :].strip("/").split("/")
            if len(parts) >= 2 and parts[1] in self.collections_of(parts[0]):
                if len(parts) == 2:
                    return 200, _collection(parts[0], parts[1])
                if len(parts) == 4 and parts[2] == "versions" and parts[3] == "1.2.3":
                    return 200, {
                        "version": "1.2.3",
                        "metadata": {
                            "description": f"{parts[0]}.{parts[1]} modules",
                            "tags": ["tools", "linux"],
                            "dependencies": {"ansible.utils": ">=2.0.0"},
                            "contents": [
                                {"name": "ping", "content_type": "module", "description": "Ping"},
                                {"name": "copy", "content_type": "module", "description": "Copy"},
                                {"name": "docs", "content_type": "role", "description": "A role"},
                            ],
                        },
                    }
        return 404, {"errors": [{"status": "404", "code": "not_found"}]}

    @staticmethod
    def _page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
        return {
            "meta": {"count": len(items)},
            "links": {"first": None, "previous": None, "next": None, "last": None},
            "data": items[offset : offset + limit],
        }

    @staticmethod
    async def _send(send: Any, status: int, body: Any) -> None:
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class GalaxyServer:
    """``FakeGalaxy`` served by uvicorn in a thread; ``url`` is the v3 API root."""

    def __init__(self, app: FakeGalaxy, port: int | None = None) -> None:
        self.app = app
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/v3"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake Galaxy did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Down: the port refuses connections until ``start()`` again."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server, self._thread = None, None


@contextmanager
def running_galaxy(app: FakeGalaxy | None = None) -> Iterator[GalaxyServer]:
    server = GalaxyServer(app or FakeGalaxy())
    server.start()
    try:
        yield server
    finally:
        server.stop()
