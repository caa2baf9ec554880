"""WeChat's request signatures: SHA-1 over the sorted parameters, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac


def sign(*parts: str) -> str:
    """SHA-1 hex digest of the parts sorted lexicographically and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def is_valid(signature: str | None, *parts: str | None) -> bool:
    """True when `signature` matches; any missing part makes it invalid."""
    if not signature or any(p is None for p in parts):
        return False
    return hmac.compare_digest(signature.lower(), sign(*parts))  # type: ignore[arg-type]
