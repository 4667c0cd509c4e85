"""A local HTTP server speaking the OpenAI chat-completions protocol, with scripted answers.

Each request takes the next scripted response: `(status, body)` or `(status, body, options)`, where
body is a completion text (status 200; None gives `"content": null`) or an error message; once the
script runs out, the last entry repeats. Options misbehave like real endpoints do:
`headers` (extra response headers, e.g. Retry-After), `raw` (bytes sent instead of a JSON body),
`choices` (the `choices` list sent instead of one message), `hang` (seconds to wait before answering).
Every request's JSON body, and the time it arrived, is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

Reply = tuple  # (status, text) or (status, text, options)
Responder = Callable[[dict[str, Any]], Reply]


def _payload(body: dict[str, Any], status: int, text: str | None, options: dict[str, Any], number: int) -> bytes:
    if "raw" in options:
        return options["raw"]
    if status != 200:
        return json.dumps({"error": {"message": text, "type": "server_error", "code": status}}).encode()
    words = len((text or "").split())
    choices = options.get("choices", [{"index": 0, "finish_reason": "stop",
                                       "message": {"role": "assistant", "content": text}}])
    return json.dumps({
        "id": f"chatcmpl-{number}", "object": "chat.completion", "created": 0,
        "model": body.get("model", "test"), "choices": choices,
        "usage": {"prompt_tokens": 11, "completion_tokens": words, "total_tokens": 11 + words},
    }).encode()


class ChatServer:
    """A scripted chat-completions server on 127.0.0.1 (use as a context manager)."""

    def __init__(self, script: list[Reply] | None = None, responder: Responder | None = None) -> None:
        self.script = list(script or [])
        self.responder = responder
        self.requests: list[dict[str, Any]] = []
        self.arrivals: list[float] = []
        self._lock = threading.Lock()
        self._closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                reply = server._next(body)
                status, text = reply[0], reply[1]
                options = reply[2] if len(reply) > 2 else {}
                if options.get("hang"):
                    server._closing.wait(options["hang"])
                data = _payload(body, status, text, options, len(server.requests))
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    headers = options.get("headers", {"Retry-After": "0"} if status == 429 else {})
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.arrivals.append(time.monotonic())
            if self.responder is not None:
                return self.responder(body)
            if len(self.script) > 1:
                return self.script.pop(0)
            return self.script[0]

    @property
    def base_url(self) -> str:
        """The server's /v1 address."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> ChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
