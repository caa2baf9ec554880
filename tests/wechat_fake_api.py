"""A local stand-in for WeChat's servers (token endpoint + customer-service message API) on loopback.

It behaves as the real API documents: `GET /cgi-bin/token` issues a token for the right app id/secret
(and revokes the previous one), `POST /cgi-bin/message/custom/send` accepts a text message only with a
current token and records it. Runs in a thread, so both sync (e2e) and async (unit) tests can use it.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakeWeChatApi:
    def __init__(self, app_id: str, app_secret: str, port: int = 0, expires_in: int = 7200) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.expires_in = expires_in
        self.sent: list[dict] = []
        self.token_requests = 0
        self.current_token: str | None = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeWeChatApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def revoke_token(self) -> None:
        """As when another system fetched a new token: the cached one stops working."""
        with self._lock:
            self.current_token = f"revoked-{next(self._counter)}"

    def texts_to(self, openid: str) -> list[str]:
        with self._lock:
            return [m["text"]["content"] for m in self.sent if m.get("touser") == openid]

    def wait_for_texts(self, openid: str, count: int = 1, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.texts_to(openid)
            if len(texts) >= count:
                return texts
            time.sleep(0.05)
        return self.texts_to(openid)

    def _issue_token(self, query: dict[str, list[str]]) -> dict:
        with self._lock:
            self.token_requests += 1
            if query.get("appid") != [self.app_id] or query.get("secret") != [self.app_secret]:
                return {"errcode": 40013, "errmsg": "invalid appid"}
            self.current_token = f"token-{next(self._counter)}"
            return {"access_token": self.current_token, "expires_in": self.expires_in}

    def _accept_message(self, query: dict[str, list[str]], body: bytes) -> dict:
        try:
            message = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return {"errcode": 47001, "errmsg": "data format error"}
        with self._lock:
            if query.get("access_token") != [self.current_token]:
                return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
            if message.get("msgtype") != "text" or len(message["text"]["content"].encode("utf-8")) > 2048:
                return {"errcode": 45002, "errmsg": "content size out of limit"}
            self.sent.append(message)
        return {"errcode": 0, "errmsg": "ok"}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _reply(self, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                url = urlsplit(self.path)
                if url.path == "/cgi-bin/token":
                    self._reply(fake._issue_token(parse_qs(url.query)))
                else:
                    self._reply({"errcode": 404, "errmsg": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if url.path == "/cgi-bin/message/custom/send":
                    self._reply(fake._accept_message(parse_qs(url.query), body))
                else:
                    self._reply({"errcode": 404, "errmsg": "not found"})

        return Handler
