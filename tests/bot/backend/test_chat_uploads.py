"""`POST /chat/uploads` (photos from the web chat, no API key) and `POST /claims/{number}/evidence/chat-upload`.

A backend of its own with small limits (3 photos per session, 8 per client address in an hour) and forwarded
addresses trusted, so each test speaks from an address of its own and the limits are reached in a few requests.
It has no CHAT_SESSION_SECRET, as under `make run`: it signs chat sessions with the installation's secret in its
var dir, the file the Rasa process started beside it reads too, and the tests sign with that file.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.backend.services import chat_uploads
from bot.chat_session_token import SECRET_FILE, sign
from bot.installation_secret import installation_secret
from tests.bot.backend.conftest import Backend, start_backend, stop_backend
from tests.bot.backend.helpers import assert_error, chat_session_headers

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64
LIMIT = 5 * 1024 * 1024


@pytest.fixture(scope="module")
def uploads_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    running = start_backend(tmp_path_factory.mktemp("chat-uploads"), "", extra_env={
        "CHAT_UPLOADS_PER_HOUR": "3", "CHAT_UPLOADS_PER_ADDRESS_HOUR": "8", "TRUST_FORWARDED_HEADERS": "1",
        "CHAT_SESSION_SECRET": ""})
    yield running
    stop_backend(running)


def _session() -> str:
    return uuid.uuid4().hex


def _secret(backend: Backend) -> bytes:
    return installation_secret(backend.var_dir / SECRET_FILE)


def _signed(backend: Backend, session: str) -> dict[str, str]:
    return chat_session_headers(session, _secret(backend))


class Chat:
    """One chat page: its session id, the session's token, and its own client address (X-Forwarded-For,
    trusted by this backend)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.session = _session()
        self.address = f"198.51.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"

    def upload(self, body: bytes, content_type: str = "image/png", script: str | None = None,
               headers: dict[str, str] | None = None) -> requests.Response:
        sent = {"Content-Type": content_type, **_signed(self.backend, self.session), "X-Forwarded-For": self.address,
                **(headers or {})}
        query = f"?script={script}" if script else ""
        # No API key: the page's own request, as a browser sends it.
        return requests.post(f"{self.backend.base_url}/chat/uploads{query}", data=body, headers=sent, timeout=15)


def _claim(backend: Backend, conversation_id: str) -> str:
    body = {"tracking_number": "ZT100000000002", "claim_type": "damage", "insured": False, "freight_fen": 1500,
            "description": "外箱压坏，里面的杯子碎了", "contact_phone": "13800138000",
            "conversation_id": conversation_id}
    response = backend.post("/claims", json=body)
    assert response.status_code == 201, response.text
    return response.json()["number"]


def _held(backend: Backend, session: str) -> list[Path]:
    folder = backend.var_dir / "chat-uploads" / session
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("body, content_type, extension", [(PNG, "image/png", "png"), (JPEG, "image/jpeg", "jpg"),
                                                           (WEBP, "image/webp", "webp")])
def test_photo_is_held_for_the_session(uploads_backend, body, content_type, extension):
    chat = Chat(uploads_backend)
    response = chat.upload(body, content_type)
    assert response.status_code == 201, response.text
    held = response.json()
    assert held["upload"].startswith(f"chat-upload:{chat.session}/") and held["upload"].endswith(f".{extension}")
    assert held["content_type"] == content_type and held["size_bytes"] == len(body)
    [stored] = _held(uploads_backend, chat.session)
    assert stored.read_bytes() == body and held["upload"].endswith(stored.name)


def test_types_are_judged_by_content(uploads_backend):
    chat = Chat(uploads_backend)
    assert_error(chat.upload(b"%PDF-1.4 not a photo", "application/pdf"), 415, "unsupported_file_type")
    assert_error(chat.upload(b"MZ\x90\x00 a program", "image/png"), 415, "file_content_mismatch")
    chat = Chat(uploads_backend)  # a fresh session: the first one spent its three attempts above and below
    assert_error(chat.upload(PNG, "image/jpeg"), 415, "file_content_mismatch")
    assert_error(chat.upload(b"<svg onload=alert(1)>", "image/svg+xml"), 415, "unsupported_file_type")
    assert _held(uploads_backend, chat.session) == []


def test_sizes(uploads_backend):
    chat = Chat(uploads_backend)
    assert_error(chat.upload(b"", "image/png"), 422, "empty_file")
    exactly = PNG + b"\x00" * (LIMIT - len(PNG))
    assert chat.upload(exactly, "image/png").status_code == 201
    assert [path.stat().st_size for path in _held(uploads_backend, chat.session)] == [LIMIT]


def test_declared_length_over_the_limit_is_refused_unread(uploads_backend):
    """A client announcing 5 MB + 1 byte gets its 413 at once, without sending a byte of the body."""
    chat = Chat(uploads_backend)
    host, port = uploads_backend.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall((f"POST /chat/uploads HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/png\r\n"
                            f"X-Chat-Session: {chat.session}\r\nX-Forwarded-For: {chat.address}\r\n"
                            f"X-Chat-Session-Token: {sign(chat.session, _secret(uploads_backend))}\r\n"
                            f"Content-Length: {LIMIT + 1}\r\n\r\n").encode())
        received = b""
        while b"\r\n\r\n" not in received or len(received.split(b"\r\n\r\n", 1)[1]) < 40:
            chunk = connection.recv(4096)
            if not chunk:
                break
            received += chunk
        answer = received.decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]
    assert "file_too_large" in answer and "5 MB" in answer


def test_malformed_requests_get_a_clear_4xx(uploads_backend):
    chat = Chat(uploads_backend)
    base = f"{uploads_backend.base_url}/chat/uploads"
    forwarded = {"X-Forwarded-For": chat.address}
    no_session = requests.post(base, data=PNG, headers={"Content-Type": "image/png", **forwarded}, timeout=15)
    assert "刷新" in assert_error(no_session, 400, "session_missing")["message"]
    for bad in ("../../etc", "short", "a" * 65, "a b c d e f g h"):
        response = requests.post(base, data=PNG, timeout=15,
                                 headers={"Content-Type": "image/png", "X-Chat-Session": bad, **forwarded})
        assert_error(response, 400, "session_missing")
    # A chunked body has no declared length: refused, not read until the end of time.
    chunked = requests.post(base, data=iter([PNG]), timeout=15,
                            headers={"Content-Type": "image/png", **_signed(uploads_backend, chat.session),
                                     **forwarded})
    assert_error(chunked, 411, "length_required")
    assert_error(chat.upload(PNG, "image/png", headers={"Content-Type": ""}), 415, "unsupported_file_type")
    multipart = requests.post(base, files={"file": ("x.png", PNG, "image/png")}, timeout=15,
                              headers={**_signed(uploads_backend, _session()), **forwarded})
    assert_error(multipart, 415, "unsupported_file_type")
    assert requests.get(base, timeout=15).status_code in (404, 405)
    assert "Traceback" not in uploads_backend.log_text()


def test_only_the_browser_given_the_session_may_send_it_photos(uploads_backend):
    """The session id alone (agents see it, logs hold it) is not enough: its token is, the one the chat channel gave
    that browser. A stranger's refusal reads nothing and spends none of the session's budget."""
    victim = Chat(uploads_backend)
    stranger = {"Content-Type": "image/png", "X-Chat-Session": victim.session, "X-Forwarded-For": victim.address}
    base = f"{uploads_backend.base_url}/chat/uploads"
    other_token = sign(_session(), _secret(uploads_backend))
    foreign_key = sign(victim.session, b"not this installation's secret")
    for token in (None, "", "x" * 43, other_token, foreign_key, victim.session):
        headers = stranger if token is None else {**stranger, "X-Chat-Session-Token": token}
        detail = assert_error(requests.post(base, data=PNG, headers=headers, timeout=15), 403, "session_unverified")
        assert "抱歉" in detail["message"] and "刷新" in detail["message"], detail
    taiwan = assert_error(requests.post(f"{base}?script=tw", data=PNG, headers=stranger, timeout=15), 403,
                          "session_unverified")["message"]
    assert "確認" in taiwan and "頁面" in taiwan and "确认" not in taiwan, taiwan
    assert _held(uploads_backend, victim.session) == []
    # The customer's own page still has its three photos this hour.
    assert [victim.upload(PNG).status_code for _ in range(4)] == [201, 201, 201, 429]


def test_refusals_in_the_pages_script(uploads_backend):
    chat = Chat(uploads_backend)
    simplified = assert_error(chat.upload(b"GIF89a", "image/gif"), 415)["message"]
    taiwan = assert_error(chat.upload(b"GIF89a", "image/gif", script="tw"), 415)["message"]
    assert "仅支持" in simplified and "图片" in simplified
    assert "僅" in taiwan and "圖片" in taiwan and "图" not in taiwan, taiwan


def test_rate_limit_per_session_and_per_address(uploads_backend):
    chat = Chat(uploads_backend)
    for _ in range(3):
        assert chat.upload(PNG).status_code == 201
    refused = chat.upload(PNG)
    detail = assert_error(refused, 429, "too_many_uploads")
    assert "频繁" in detail["message"] and int(refused.headers["Retry-After"]) > 0
    # Refused attempts count too, so bad photos cannot be sent without end either.
    assert_error(chat.upload(b"junk", "image/png"), 429, "too_many_uploads")
    assert len(_held(uploads_backend, chat.session)) == 3
    # A client changing its session id for every photo still meets its address's budget (8 an hour): the 3
    # photos above count against it (the refusals by the session's budget stop before the address is counted).
    answers = []
    for _ in range(6):
        fresh = Chat(uploads_backend)
        fresh.address = chat.address
        answers.append(fresh.upload(PNG).status_code)
    assert answers == [201] * 5 + [429], answers


def test_a_held_photo_becomes_the_claims_evidence(uploads_backend):
    chat = Chat(uploads_backend)
    reference = chat.upload(JPEG, "image/jpeg").json()["upload"]
    number = _claim(uploads_backend, chat.session)
    attach = uploads_backend.post(f"/claims/{number}/evidence/chat-upload", json={"upload": reference},
                                  headers={"Idempotency-Key": f"evidence-{uuid.uuid4().hex}"})
    assert attach.status_code == 201, attach.text
    assert attach.json()["claim_number"] == number and attach.json()["content_type"] == "image/jpeg"
    [stored] = list((uploads_backend.var_dir / "evidence" / number).iterdir())
    assert stored.read_bytes() == JPEG
    assert _held(uploads_backend, chat.session) == []  # the claim keeps its copy; the held one is gone
    # The same key again replays the answer: one photo, not two.
    replay = uploads_backend.post(f"/claims/{number}/evidence/chat-upload", json={"upload": reference},
                                  headers={"Idempotency-Key": attach.request.headers["Idempotency-Key"]})
    assert replay.status_code == 201 and replay.json() == attach.json()
    assert len(list((uploads_backend.var_dir / "evidence" / number).iterdir())) == 1


def test_attach_refuses_other_sessions_and_bad_references(uploads_backend):
    chat, other = Chat(uploads_backend), Chat(uploads_backend)
    reference = chat.upload(PNG).json()["upload"]
    others_claim = _claim(uploads_backend, other.session)
    post = uploads_backend.post
    assert_error(post(f"/claims/{others_claim}/evidence/chat-upload", json={"upload": reference}), 404,
                 "upload_not_found")
    missing = f"chat-upload:{other.session}/{'0' * 32}.png"
    assert_error(post(f"/claims/{others_claim}/evidence/chat-upload", json={"upload": missing}), 404,
                 "upload_not_found")
    for bad in ("chat-upload:../../courier.db", f"chat-upload:{other.session}/../x.png", "https://example.com/a.png"):
        assert_error(post(f"/claims/{others_claim}/evidence/chat-upload", json={"upload": bad}), 422, "invalid_upload")
    assert_error(post(f"/claims/{others_claim}/evidence/chat-upload", json={}), 422)
    assert_error(post("/claims/CL19990101001/evidence/chat-upload", json={"upload": reference}), 404)
    no_key = requests.post(f"{uploads_backend.base_url}/api/v1/claims/{others_claim}/evidence/chat-upload",
                           json={"upload": reference}, timeout=15)
    assert no_key.status_code == 401
    assert not (uploads_backend.var_dir / "evidence" / others_claim).exists()


def test_attempts_window_and_bounded_keys():
    attempts = chat_uploads.Attempts()
    assert [attempts.allow("s", 2, now=100.0) for _ in range(3)] == [True, True, False]
    assert attempts.allow("s", 2, now=100.0 + chat_uploads.WINDOW_S + 1)
    attempts.MAX_KEYS = 3
    for key in "abcd":
        attempts.allow(key, 1, now=0.0)
    assert attempts.allow("a", 1, now=0.0)  # the oldest key was forgotten, not the newest
    assert not attempts.allow("d", 1, now=0.0)


def test_prune_deletes_only_old_held_photos(tmp_path, monkeypatch):
    monkeypatch.setenv("COURIER_VAR_DIR", str(tmp_path))
    from bot.settings import get_settings
    get_settings.cache_clear()
    try:
        old_folder, new_folder = tmp_path / "chat-uploads" / "oldsession1", tmp_path / "chat-uploads" / "newsession1"
        old_folder.mkdir(parents=True)
        new_folder.mkdir(parents=True)
        old, new = old_folder / f"{'a' * 32}.png", new_folder / f"{'b' * 32}.png"
        old.write_bytes(PNG)
        new.write_bytes(PNG)
        two_days_ago = time.time() - 48 * 3600
        os.utime(old, (two_days_ago, two_days_ago))
        assert chat_uploads.prune(force=True) == 1
        assert not old_folder.exists() and new.exists()
        assert [photo["name"] for photo in chat_uploads.held_for("newsession1")] == [new.name]
    finally:
        get_settings.cache_clear()
