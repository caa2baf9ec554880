"""The tracking card: the web chat draws it from a tracking answer's custom payload.

The text reply stays the answer (screen readers, WeChat, any client without cards read it); the card adds the
same facts drawn for the eye, and the customer's next steps as buttons. Customer-facing words sit under the keys
the script layer converts to Traditional (`title`, `text`; bot/channels/script_output.py); the page's own labels
("物流轨迹", "预计送达"…) come from bot/web/texts.json. Personal data follows the reply it goes with: the courier's
phone is masked unless the customer has verified, and no sender or receiver detail is ever on the card.
"""

from __future__ import annotations

import json
from typing import Any

CARD_TYPE = "tracking_card"
MAX_TIMELINE = 8
FINISHED = {"delivered", "returned"}
# What "改地址" asks: the product answers how an address is changed (the FAQ), it does not change it in chat.
CHANGE_ADDRESS_TEXT = "怎么修改收件地址"


def hurry_payload(tracking_number: str) -> str:
    return "/hurry_parcel" + json.dumps({"tracking_number": tracking_number}, separators=(",", ":"))


def card_actions(parcel: dict[str, Any]) -> list[dict[str, str]]:
    """催件 and 改地址 while the parcel is on its way; complaint and claim always."""
    actions = []
    if parcel.get("status") not in FINISHED:
        actions.append({"title": "催件", "payload": hurry_payload(str(parcel.get("tracking_number") or ""))})
        actions.append({"title": "改地址", "payload": CHANGE_ADDRESS_TEXT})
    actions.append({"title": "投诉", "payload": "/file_complaint"})
    actions.append({"title": "理赔", "payload": "/file_claim"})
    return actions


def _scan(event: dict[str, Any]) -> dict[str, Any]:
    return {"time": event.get("time"), "status": event.get("status"), "title": event.get("city") or "",
            "text": event.get("description") or ""}


def tracking_card(parcel: dict[str, Any], verified: bool = False) -> dict[str, Any]:
    """The card for a parcel summary (last scan only) or, `verified`, its details (the whole timeline).

    The timeline is newest first, as customers read tracking pages.
    """
    status = parcel.get("status") or ""
    events = parcel.get("events") if verified else None
    scans = [_scan(e) for e in (events or [parcel.get("last_event") or {}]) if e]
    courier = parcel.get("courier") or None
    return {
        "type": CARD_TYPE,
        "tracking_number": parcel.get("tracking_number"),
        "status": status,
        "title": parcel.get("status_text") or status,
        "late": bool(parcel.get("is_delayed") or parcel.get("is_exception")),
        "route": {"origin": {"title": parcel.get("origin_city") or ""},
                  "destination": {"title": parcel.get("destination_city") or ""}},
        "current": {"title": parcel.get("current_city") or ""} if status not in FINISHED else None,
        "eta": parcel.get("eta") if status not in FINISHED else None,
        "timeline": list(reversed(scans))[:MAX_TIMELINE],
        "complete": verified,
        "courier": {"title": courier.get("name") or "", "text": courier.get("phone") or "",
                    "callable": verified} if courier else None,
        "actions": card_actions(parcel),
    }
