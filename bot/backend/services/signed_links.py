"""Short-lived signed tokens for links a customer's browser opens without the API key (sign-off photos).

A token is `<expiry unix seconds>.<HMAC-SHA256 of purpose, subject and expiry>`: it opens one subject (one
parcel's photo) until it expires, and cannot be altered to open another without the secret.

The secret is POD_LINK_SECRET, else this installation's own random secret (bot/installation_secret.py). It is
never derived from the backend API key: the default key is public, so links signed with it could be forged.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from bot.installation_secret import installation_secret
from bot.settings import get_settings

SECRET_FILE = "pod-link.secret"


def _secret() -> bytes:
    settings = get_settings()
    if settings.pod_link_secret:
        return settings.pod_link_secret.encode()
    # Every backend process of this installation shares the var dir, so they all agree on it.
    return installation_secret(settings.var_dir / SECRET_FILE)


def _signature(purpose: str, subject: str, expires: int) -> str:
    message = f"{purpose}\x1f{subject}\x1f{expires}".encode()
    digest = hmac.new(_secret(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def issue(purpose: str, subject: str, lifetime_s: int, now: float | None = None) -> tuple[str, int]:
    """(token, expiry in unix seconds)."""
    expires = int(now if now is not None else time.time()) + lifetime_s
    return f"{expires}.{_signature(purpose, subject, expires)}", expires


def is_valid(purpose: str, subject: str, token: str | None, now: float | None = None) -> bool:
    if not token or len(token) > 128 or "." not in token:
        return False
    expires_text, signature = token.split(".", 1)
    if not expires_text.isdigit():
        return False
    expires = int(expires_text)
    if expires <= (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature.encode(), _signature(purpose, subject, expires).encode())
