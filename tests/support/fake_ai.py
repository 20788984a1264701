"""A local fake of the remote AI services, started by the tests on a free port: the
AssemblyAI transcript endpoints and the try-on model service's small protocol.

Behaviour is set per test through ``FakeAi.mode``: ``ok``, ``slow`` (every answer waits
``delay`` seconds), ``5xx`` (the next ``errors`` answers are 503), ``failed`` (the transcript
or render ends in an error), ``unauthorized`` (401 on everything). Every request is recorded
(method, path, headers) so tests can check what left the adapter.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image


@dataclass
class FakeAi:
    mode: str = "ok"
    delay: float = 0.0
    errors: int = 0
    polls_before_done: int = 2
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    polls: dict[str, int] = field(default_factory=dict)
    url: str = ""


def _handler(state: FakeAi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append((method, self.path, dict(self.headers)))
            if state.mode == "slow":
                time.sleep(state.delay)
            if state.mode == "unauthorized":
                self._send(401, {"error": "Authentication error, API token missing/invalid"})
                return
            if state.errors > 0:
                state.errors -= 1
                self._send(503, {"error": "overloaded"})
                return
            self._route(method, body)

        def _route(self, method: str, body: bytes) -> None:
            path = self.path
            if method == "POST" and path == "/v2/transcript":
                request = json.loads(body)
                if not str(request.get("audio_url", "")).startswith("http"):
                    self._send(400, {"error": "audio_url is required"})
                    return
                self._send(200, {"id": "tr_1", "status": "queued"})
            elif (
                method == "GET"
                and path.startswith("/v2/transcript/")
                and path.endswith("/sentences")
            ):
                self._send(
                    200,
                    {
                        "sentences": [
                            {"text": "Hello there.", "start": 0, "end": 1200},
                            {"text": "General checks.", "start": 1200, "end": 2500},
                        ]
                    },
                )
            elif method == "GET" and path.startswith("/v2/transcript/"):
                n = state.polls[path] = state.polls.get(path, 0) + 1
                if n <= state.polls_before_done:
                    self._send(200, {"id": "tr_1", "status": "queued" if n == 1 else "processing"})
                elif state.mode == "failed":
                    self._send(
                        200,
                        {
                            "id": "tr_1",
                            "status": "error",
                            "error": "File does not appear to contain audio.",
                        },
                    )
                else:
                    self._send(
                        200,
                        {
                            "id": "tr_1",
                            "status": "completed",
                            "text": "Hello there. General checks.",
                            "language_code": "en",
                        },
                    )
            elif method == "POST" and path == "/v1/tryon":
                self._send(202, {"id": "to_1"})
            elif method == "GET" and path == "/v1/tryon/to_1":
                n = state.polls[path] = state.polls.get(path, 0) + 1
                if n <= state.polls_before_done:
                    self._send(200, {"status": "running", "progress": 50 * n, "stage": "diffusion"})
                elif state.mode == "failed":
                    self._send(200, {"status": "failed", "error": "no person detected"})
                else:
                    self._send(200, {"status": "completed", "progress": 100})
            elif method == "GET" and path == "/v1/tryon/to_1/result":
                out = io.BytesIO()
                Image.new("RGB", (8, 8), (9, 9, 9)).save(out, format="PNG")
                self._send(200, out.getvalue(), "image/png")
            else:
                self._send(404, {"error": "not found"})

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

    return Handler


@contextmanager
def fake_ai() -> Iterator[FakeAi]:
    state = FakeAi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
