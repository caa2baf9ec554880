"""Web chat sessions belong to the browser they were given to: a session id is honoured only with its token.

The session id names the conversation (Rasa's sender id, the socket.io room replies go to) and is seen in many
places: the agent console, the push routes, the logs. Joining a room by that id alone let anyone who knew or
guessed it receive another customer's replies. So when the server confirms a session it also gives that
browser `session_token`, an HMAC-SHA256 of the id under a server secret; the page keeps both and sends both
to resume the session (a reload, a reconnect). An id without its token gets a fresh session instead.

Two processes check it: the socket.io channel (bot/channels/socketio.py) to resume a session, and the web
process's photo upload route (`POST /chat/uploads`, header `X-Chat-Session-Token`), so a stranger who knows an id
can neither read that chat's replies nor add photos to it. Hence a shared helper here, below both (the backend
may not import bot/channels).

The secret is CHAT_SESSION_SECRET (the production profile requires it, the same in every Rasa instance and web
process), else this installation's own random one in COURIER_VAR_DIR (bot/installation_secret.py), which every
process started from this checkout shares. Nothing is stored per session, so any instance can check any token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from bot.installation_secret import installation_secret
from bot.settings import get_settings

# The web chat's session ids: the socket.io channel chooses or accepts only these, the web routes check them.
SESSION_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
SECRET_FILE = "chat-session.secret"
_PURPOSE = b"web chat session\x1f"
TOKEN_CHARS = 43  # unpadded base64url of 32 bytes


def _secret() -> bytes:
    settings = get_settings()
    if settings.chat_session_secret:
        return settings.chat_session_secret.encode()
    return installation_secret(settings.var_dir / SECRET_FILE)


def sign(session_id: str, secret: bytes) -> str:
    """The token of `session_id` under `secret`."""
    digest = hmac.new(secret, _PURPOSE + session_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def session_token(session_id: str) -> str:
    """What the browser that was given `session_id` shows to resume it (and to send it photos)."""
    return sign(session_id, _secret())


def token_matches(session_id: str, token: Any) -> bool:
    """Whether `token` (anything a client sent) is `session_id`'s token, compared in constant time."""
    if not isinstance(token, str) or len(token) != TOKEN_CHARS:
        return False
    return hmac.compare_digest(token.encode(), session_token(session_id).encode())
