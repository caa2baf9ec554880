"""Photos a customer sends from the web chat: held per chat session until a claim takes them as evidence.

The page posts the photo here (`POST /chat/uploads`) and then sends the conversation a "[图片]" message whose
metadata names the held photo by a reference, as WeChat's image message names its PicUrl. The claim form and the
late-photo action hand that reference to `POST /api/v1/claims/{number}/evidence/chat-upload`, which stores the
photo as the claim's evidence through services/evidence.py. So the photo checks (services/images.py) and the
evidence storage exist once, and the action server never fetches an address for a web photo.

Only the browser the chat session was given to may send photos to it: the request shows the session's token
(bot/chat_session_token.py), the one the socket.io channel checks to resume a session.

A reference is `chat-upload:<session id>/<32 hex>.<ext>`: the random part is its capability (nobody can guess
another customer's), the session id binds it to the claims of that chat only, keeps a session's photos together
so the console can show a handed-off conversation's photos, and lets the per-session limit count them. A photo a
claim took is deleted from here once the claim's copy is committed; those no claim took after
CHAT_UPLOAD_KEEP_HOURS.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.errors import ApiError
from bot.backend.services import evidence
from bot.backend.services.claims import get as get_claim
from bot.backend.services.images import ALLOWED, CONTENT_TYPE_OF, validate
from bot.backend.services.recent_attempts import HOUR_S, Attempts
from bot.chat_session_token import SESSION_ID_PATTERN as SESSION_PATTERN
from bot.chat_session_token import token_matches
from bot.settings import get_settings

REF_PREFIX = "chat-upload:"
_NAME = r"[0-9a-f]{32}\.(?:jpg|png|webp)"
NAME_PATTERN = re.compile(rf"^{_NAME}$")
REF_PATTERN = re.compile(rf"^{re.escape(REF_PREFIX)}([A-Za-z0-9_-]{{8,64}})/({_NAME})$")
WINDOW_S = HOUR_S
_PRUNE_EVERY_S = 600


def folder() -> Path:
    return get_settings().var_dir / "chat-uploads"


def valid_session(value: str | None) -> str:
    if not value or not SESSION_PATTERN.match(value):
        raise ApiError(400, "session_missing", "没有识别到当前对话，请刷新聊天页面后再发送图片。")
    return value


def check_owner(session_id: str, token: str | None) -> None:
    """Refuse (403) a request that does not show the session's token: only the browser the session was given
    to may add photos to it (the id alone is seen by agents, in logs, and could be guessed)."""
    if not token_matches(session_id, token):
        raise ApiError(403, "session_unverified", "抱歉，无法确认这是您的对话，请刷新聊天页面后再发送图片。")


attempts = Attempts()


def too_many() -> ApiError:
    return ApiError(429, "too_many_uploads", "您发送图片太频繁了，请过一会儿再发。如需帮助，可以直接输入文字告诉我们。")


def check_rate(session_id: str, address: str | None) -> None:
    """Refuse (429) a session or client address over its hourly budget, before anything is read."""
    settings = get_settings()
    if not attempts.allow(f"session:{session_id}", settings.chat_uploads_per_hour):
        raise too_many()
    if address and not attempts.allow(f"address:{address}", settings.chat_uploads_per_address_hour):
        raise too_many()
    # Other web processes held photos for this session too: the files on disk are shared by all of them.
    if _recent_count(folder() / session_id) >= settings.chat_uploads_per_hour:
        raise too_many()


def _recent_count(session_folder: Path) -> int:
    if not session_folder.is_dir():
        return 0
    since = time.time() - WINDOW_S
    return sum(1 for path in session_folder.iterdir() if path.stat().st_mtime > since)


def hold(session_id: str, data: bytes, declared_type: str | None) -> dict[str, Any]:
    """Check the photo (type, size, content) and keep it for this session; returns its reference."""
    content_type = validate(data, declared_type)
    prune()
    session_folder = folder() / valid_session(session_id)
    session_folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{ALLOWED[content_type]}"
    (session_folder / name).write_bytes(data)
    return {"upload": f"{REF_PREFIX}{session_id}/{name}", "content_type": content_type, "size_bytes": len(data),
            "created_at": iso(utcnow())}


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and bool(REF_PATTERN.match(value))


def _path(reference: str) -> Path:
    match = REF_PATTERN.match(reference) if isinstance(reference, str) else None
    if not match:
        raise ApiError(422, "invalid_upload", "图片引用的格式不对。")
    return folder() / match.group(1) / match.group(2)


def open_held(reference: str) -> tuple[bytes, str]:
    path = _path(reference)
    try:
        data = path.read_bytes()
    except OSError:
        raise ApiError(404, "upload_not_found", "没有找到这张图片，可能已过期，请重新发送。") from None
    return data, CONTENT_TYPE_OF[path.suffix[1:]]


def attach(session: Session, number: str, reference: str) -> dict[str, Any]:
    """The held photo becomes the claim's evidence (checked again and stored by services/evidence.py).

    Only a claim filed by the same chat session takes it: a reference copied into another conversation's
    metadata attaches nothing there.
    """
    path = _path(reference)
    claim = get_claim(session, number)
    if claim.conversation_id != path.parent.name:
        raise ApiError(404, "upload_not_found", "没有找到这张图片，请在提交理赔的对话中重新发送。")
    data, content_type = open_held(reference)
    return evidence.store(session, number, data, content_type)


def release(reference: str) -> None:
    """Forget a held photo once a claim's evidence holds its copy (after the commit)."""
    try:
        _path(reference).unlink(missing_ok=True)
    except (ApiError, OSError):
        pass


def held_for(session_id: str) -> list[dict[str, Any]]:
    """The photos a chat session sent that are still held, oldest first (for the agent console)."""
    if not SESSION_PATTERN.match(session_id or ""):
        return []
    session_folder = folder() / session_id
    if not session_folder.is_dir():
        return []
    photos = [(path.stat().st_mtime, path.name) for path in session_folder.iterdir() if NAME_PATTERN.match(path.name)]
    return [{"name": name, "sent_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))}
            for mtime, name in sorted(photos)]


def open_for_session(session_id: str, name: str) -> tuple[bytes, str]:
    if not SESSION_PATTERN.match(session_id or "") or not NAME_PATTERN.match(name or ""):
        raise ApiError(404, "upload_not_found", "没有找到这张图片。")
    return open_held(f"{REF_PREFIX}{session_id}/{name}")


_last_prune = [0.0]


def prune(force: bool = False, dry_run: bool = False) -> int:
    """Delete held photos older than CHAT_UPLOAD_KEEP_HOURS; how many went (or would go, with `dry_run`).

    Called on every photo held (at most every 10 minutes) and by the retention purge (`force`), so photos
    nobody took go also when nobody sends new ones.
    """
    now = time.time()
    if not force and now - _last_prune[0] < _PRUNE_EVERY_S:
        return 0
    if not dry_run:
        _last_prune[0] = now
    root = folder()
    if not root.is_dir():
        return 0
    cutoff = now - get_settings().chat_upload_keep_hours * 3600
    removed = 0
    for session_folder in root.iterdir():
        if session_folder.is_dir():
            removed += _remove(session_folder, lambda path: path.stat().st_mtime < cutoff, dry_run)
    return removed


def erase_session(session_id: str, dry_run: bool = False) -> int:
    """Delete every photo a chat session holds (a customer's erasure); how many."""
    if not SESSION_PATTERN.match(session_id or ""):
        return 0
    session_folder = folder() / session_id
    return _remove(session_folder, lambda _path: True, dry_run) if session_folder.is_dir() else 0


def _remove(session_folder: Path, old: Callable[[Path], bool], dry_run: bool) -> int:
    removed = 0
    for path in session_folder.iterdir():
        try:
            if old(path):
                if not dry_run:
                    path.unlink()
                removed += 1
        except OSError:
            continue
    if not dry_run:
        try:
            session_folder.rmdir()  # only succeeds when empty
        except OSError:
            pass
    return removed
