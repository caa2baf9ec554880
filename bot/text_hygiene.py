"""Characters no customer means to send: lone UTF-16 surrogates, control characters, invisible marks.

JSON lets a client send "\\ud800" (half of a UTF-16 pair); Python keeps it as a code point that cannot be
encoded, so anything that encodes text (OpenCC, logging to a file, the tracker store) fails on it. Control
characters (C0/C1 except newline and tab), zero-width and bidi marks carry no meaning in a chat message and make a
message that looks empty not empty.

Two ways to get rid of them:
- `remove_unsafe`: drop them (the channels, before a message reaches Rasa);
- `blank_unsafe`: replace each with one space, keeping every offset (the NLU pipeline, where training
  examples carry entity offsets).
"""

from __future__ import annotations

import re

# Lone surrogates; C0 controls except \t and \n; DEL and C1 controls; zero-width characters and direction
# marks (they hide characters inside a tracking number or reverse what an agent reads); bidi embeddings,
# overrides and isolates; word joiner and BOM; the two noncharacters of the BMP.
_UNSAFE = re.compile(
    "[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ufffe\uffff]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")


def remove_unsafe(text: str) -> str:
    """Text without unsafe characters; \\r\\n and \\r become \\n first (they are line breaks, not noise)."""
    return _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def blank_unsafe(text: str) -> str:
    """Text of the same length with each unsafe character (and \\r) replaced by a space."""
    return _UNSAFE.sub(" ", text.replace("\r", " "))


def without_surrogates(text: str) -> str:
    """Same length, each lone surrogate replaced by U+FFFD (the replacement character): always encodable."""
    return _SURROGATES.sub("\ufffd", text)


def has_unsafe(text: str) -> bool:
    return _UNSAFE.search(text) is not None
