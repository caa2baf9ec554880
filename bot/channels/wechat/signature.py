"""WeChat's request signatures: SHA-1 over the sorted parameters, compared in constant time.

The parameters come from an untrusted query string: a non-ASCII signature (which `hmac.compare_digest`
refuses to compare as text) or a lone surrogate must make the signature invalid, never raise (a 500).
"""

from __future__ import annotations

import hashlib
import hmac


def sign(*parts: str) -> str:
    """SHA-1 hex digest of the parts sorted lexicographically and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8", "surrogatepass")).hexdigest()


def is_valid(signature: str | None, *parts: str | None) -> bool:
    """True when `signature` matches; any missing part makes it invalid."""
    if not signature or any(p is None for p in parts):
        return False
    provided = signature.lower().encode("utf-8", "surrogatepass")
    return hmac.compare_digest(provided, sign(*parts).encode("ascii"))  # type: ignore[arg-type]
