"""A stand-in Prometheus Pushgateway on 127.0.0.1 (ephemeral port) for the push tests.

Records every request as ``Request(method, path, headers, body)``; ``answer(handler, gateway)``
writes the response (default: 200, empty), so a test can reject, dribble or flood; ``tls``: an
ssl context to serve https.
"""
from __future__ import annotations

import http.server
import ssl
import threading
from typing import NamedTuple

__all__ = ["Gateway", "Request", "ok", "status"]


class Request(NamedTuple):
    method: str
    path: str
    headers: dict
    body: bytes


def ok(handler, gateway) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def status(code: int, text: bytes = b""):
    """An answer with HTTP ``code`` and body ``text``."""
    def answer(handler, gateway) -> None:
        handler.send_response(code)
        handler.send_header("Content-Length", str(len(text)))
        handler.end_headers()
        handler.wfile.write(text)
    return answer


class Gateway:
    def __init__(self, answer=None, tls: ssl.SSLContext | None = None):
        self.requests: list[Request] = []
        self.sent = 0  # bytes an answer wrote (for answers that flood)
        gateway = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gateway.requests.append(Request(self.command, self.path, dict(self.headers), body))
                try:
                    (answer or ok)(self, gateway)
                except OSError:  # the client hung up: what a bounded reader does
                    pass

            do_PUT = do_POST = _handle

            def log_message(self, *args):  # keep the test output clean
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.url = f"{'https' if tls is not None else 'http'}://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
