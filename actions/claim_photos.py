"""A claim's evidence photos: forwarding what the customer sent to the backend, and what to tell them about it.

The photo itself is fetched by `actions/photo_fetch.py` (which guards against request forgery); this module
only hands it on to the claim, each photo with its own idempotency key so that a retry adds it once. Used by
the claim form on filing, by the outbox worker when a kept claim is filed later, and on every turn for a photo
sent after the claim was filed.
"""

from __future__ import annotations

import hashlib
import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import ticket_text as tt
from actions.common import call_backend
from actions.photo_fetch import download_photo
from bot.clients.backend import BackendUnavailable, InvalidInput, NotFound, get_client

logger = logging.getLogger(__name__)


# A photo sent from the web chat: the backend already holds it, and checked it (POST /chat/uploads).
CHAT_UPLOAD_PREFIX = "chat-upload:"


def upload_photo(number: str, url: str) -> bool:
    """Attach one of the customer's photos to the claim (own key: a retry adds it once).

    A WeChat photo is an address the action server fetches; a web chat photo is a `chat-upload:` reference to
    the photo the backend holds, which the backend moves to the claim itself.
    """
    key = "evidence-" + hashlib.sha256(f"{number}\x1f{url}".encode()).hexdigest()[:48]
    try:
        if isinstance(url, str) and url.startswith(CHAT_UPLOAD_PREFIX):
            get_client().attach_chat_upload(number, url, idempotency=key)
            return True
        photo = download_photo(url)
        if photo is None:
            return False
        content, content_type = photo
        extension = content_type.split("/")[1].replace("jpeg", "jpg")
        get_client().add_claim_evidence(number, f"photo.{extension}", content, content_type, idempotency=key)
    except (BackendUnavailable, InvalidInput, NotFound) as error:
        logger.info("evidence upload for a claim failed: %s", error.code)
        return False
    return True


async def upload_photos(number: str, urls: list[str]) -> int:
    """Upload what the customer sent; returns how many arrived at the backend."""
    uploaded = 0
    for url in urls:
        if await call_backend(upload_photo, number, url):
            uploaded += 1
    return uploaded


def photos_text(uploaded: int, sent: int) -> str:
    if not sent:
        return ""
    if uploaded == sent:
        return f"您发送的 {sent} 张照片已作为凭证附在理赔单上。"
    return f"有 {sent - uploaded} 张照片没能保存，麻烦之后在这里重新发送（凭理赔单号补充即可）。"


async def attach_late_photo(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """A photo sent outside the claim form goes to this conversation's latest claim."""
    image_url = tt.latest_metadata(tracker).get("image_url")
    number = tracker.get_slot("last_claim_number")
    if not image_url or not number or tracker.active_loop_name == "claim_form":
        return []
    if await call_backend(upload_photo, number, image_url):
        dispatcher.utter_message(text=f"照片已补充到理赔单 {number}。")
    else:
        dispatcher.utter_message(text="抱歉，这张照片没能保存，请稍后再发一次。")
    return []
