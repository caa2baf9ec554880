"""The web chat page: its static files (bot/web/) at `/chat/`, and `/chat/config.js`: where its browsers reach
Rasa, decided by the server, never by the link.

The page used to take Rasa's address from `?rasa=` in its own URL, so a link to the real page could point it at
any server: that server could show its own messages under the courier's address, learn the customer's session
id, or plant one it knows. Now the address comes from the server's settings: `CHAT_RASA_URL` (Rasa's public
address, e.g. behind the reverse proxy), else the page's own host on `RASA_PORT`. It also gives the input box
its length limit, `MAX_MESSAGE_CHARS`, the bound the channels enforce.

`/chat/texts.js`: the page's own words (bot/web/texts.json, Simplified) with their Traditional forms, converted
here by the same OpenCC tables as the assistant's replies, so a Traditional customer's page (header, buttons,
placeholder, welcome) reads Traditional too and nobody keeps a hand-made copy in sync.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from bot.settings import get_settings
from bot.vocabulary.script import to_traditional

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
TEXTS_FILE = WEB_DIR / "texts.json"

router = APIRouter(include_in_schema=False)


def chat_config() -> dict[str, object]:
    settings = get_settings()
    # The input box's maxlength: the channels' bound (MAX_MESSAGE_CHARS, bot/channels/inbound_guard.py), so
    # the page never lets a customer type what the server would cut.
    return {"rasaUrl": settings.chat_rasa_url.rstrip("/"), "rasaPort": settings.rasa_port,
            "maxMessageChars": max(1, settings.max_message_chars)}


@router.get("/chat/config.js")
def chat_config_script() -> Response:
    return _script("COURIER_CHAT_CONFIG", chat_config())


@cache
def chat_texts() -> dict[str, dict[str, str]]:
    """The page's words per script: "simplified", and Traditional as "tw" (Taiwan) and "hk" (Hong Kong)."""
    simplified = {key: value for key, value in json.loads(TEXTS_FILE.read_text(encoding="utf-8")).items()
                  if not key.startswith("_")}
    texts = {"simplified": simplified}
    for variant in ("tw", "hk"):
        texts[variant] = {key: to_traditional(value, variant) for key, value in simplified.items()}
    return texts


def _script(name: str, value: object) -> Response:
    # JSON is valid JavaScript; "<" escaped so the text can never close a script element.
    body = json.dumps(value, ensure_ascii=True).replace("<", "\\u003c")
    return Response(f"window.{name} = {body};\n", media_type="application/javascript",
                    headers={"Cache-Control": "no-store"})


@router.get("/chat/texts.js")
def chat_texts_script() -> Response:
    return _script("COURIER_CHAT_TEXTS", chat_texts())


def install(app: FastAPI) -> None:
    """The chat page's routes; the config route comes first, or the static mount would answer it."""
    app.include_router(router)
    WEB_DIR.mkdir(parents=True, exist_ok=True)
    app.mount("/chat", StaticFiles(directory=str(WEB_DIR), html=True), name="chat")
