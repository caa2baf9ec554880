"""Fetching a customer's photo from the address their channel gave (WeChat's PicUrl), safely.

The address arrives in the message's metadata, and REST and socket.io clients write their own metadata, so it
is the customer's word: fetched blindly, it would let anyone make the action server call internal services
(server-side request forgery). Only http(s) on the usual ports is fetched, never an address on this machine or
a private network (unless `PHOTO_FETCH_ALLOW_PRIVATE` says so, for a local WeChat simulator), no redirects,
a bounded size, and only photo types.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests

from bot.settings import get_settings

PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
TIMEOUT_S = 5


def _public_address(host: str, port: int) -> bool:
    """Whether every address `host` resolves to is on the public internet."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    return bool(addresses) and all(address.is_global for address in addresses)


def fetchable(url: str) -> bool:
    """Whether the action server may fetch this photo address at all."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        return False
    if get_settings().photo_fetch_allow_private:
        return True
    return port in (80, 443) and _public_address(parts.hostname, port)


def download_photo(url: str) -> tuple[bytes, str] | None:
    """The photo's (bytes, content type); None when the address is refused, or it is gone, too big or no photo."""
    if not isinstance(url, str) or not fetchable(url):
        return None
    limit = get_settings().evidence_max_bytes
    try:
        with requests.get(url, timeout=TIMEOUT_S, stream=True, allow_redirects=False) as response:
            if response.status_code != 200:
                return None
            content_type = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if content_type not in PHOTO_TYPES:
                return None
            content = response.raw.read(limit + 1, decode_content=True)
    except requests.RequestException:
        return None
    if len(content) > limit:
        return None
    return content, content_type
