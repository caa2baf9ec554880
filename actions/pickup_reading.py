"""Everything a pickup message says, read once: phone, address, destination, item, time window, name.

One customer message may hold every detail of a booking in any order ("后天上午10点到12点来取件，寄两箱茶叶去
成都，地址广州市天河区体育西路1号，电话13900001111，我姓李"). Each recogniser in `bot/vocabulary` finds its own
kind of value; the spans already taken (the phone, then the address) are blanked before the others read the text,
so the city inside an address is not the destination and the 1号 of a street is not a date. What a message holds
fills its own slot, whichever question was asked: a time is never taken for a name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rasa_sdk import Tracker

from actions.forms_common import cities_in_text, entities, is_off_topic_question, latest_text
from bot.vocabulary import geography
from bot.vocabulary.addresses import find_address
from bot.vocabulary.names import find_name
from bot.vocabulary.phones import mobiles_in
from bot.vocabulary.time_windows import find_time_window

# "寄两箱茶叶去成都", "要寄一箱书", "寄文件到北京": what follows 寄 up to where the parcel goes.
_ITEM_AFTER_SEND = re.compile(
    r"寄(?!到|往|去|给|出|件|快递|个快递|送|回|过来|一下|个件)(?:的是|了)?([^，,。！!？?\s]{1,12}?)"
    r"(?=去|到|往|给|至|[，,。！!？?\s]|$)"
)
_ITEM_CUE = re.compile(r"(?:物品|东西|货物|品名|寄的)(?:是|为)[:：\s]*([^，,。！!？?\s]{1,20})")
# Words that say "a parcel" without saying what is in it.
_NOT_AN_ITEM = re.compile(r"^(?:快递|件|东西|包裹|个东西|点东西|一个|一件|一下|过去|出去|回来|的|了)$")
_DESTINATION_CUE = re.compile(r"(?:寄到|寄往|寄去|发到|发往|送到|送往|寄至|到|往|去|至)\s*$")
CORRECTION_CUE = re.compile(r"不对|错了|写错|说错|有误|改成|改为|换成|换为|应该是|其实是|重新|更正|改一下")


@lru_cache(maxsize=1)
def _places() -> re.Pattern[str]:
    spellings = sorted(geography.place_spellings(), key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in spellings))


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + "，" * (end - start) + text[end:]


def _destination(text: str, tracker: Tracker, address_span: tuple[int, int] | None) -> str | None:
    """A city the parcel goes to: after 寄到/去/往… or tagged so by the NLU, never the address's own city."""
    spellings = geography.place_spellings()
    for match in _places().finditer(text):
        city = spellings.get(match.group(0))
        if city and not geography.is_ambiguous(city) \
                and _DESTINATION_CUE.search(text[max(0, match.start() - 3):match.start()]):
            return city
    for found in entities(tracker, "city"):
        start = int(found.get("start") or 0)
        inside = address_span and address_span[0] <= start < address_span[1]
        if found.get("role") == "destination" and not inside:
            return geography.normalize_place(str(found.get("value") or "")) or None
    return None


def _item(text: str, tracker: Tracker, asked: str | None) -> str | None:
    for pattern in (_ITEM_CUE, _ITEM_AFTER_SEND):
        match = pattern.search(text)
        if not match:
            continue
        item = match.group(1).strip()
        if item and not _NOT_AN_ITEM.match(item) and not cities_in_text(item) and not find_time_window(item):
            return item
    if asked == "item":
        return None  # the whole answer ("一箱书") says more than the NLU's entity ("书"): the form takes it
    found = next((str(e.get("value")) for e in entities(tracker, "item") if e.get("value")), None)
    return found if found and found in text else None


def read_pickup_message(tracker: Tracker) -> dict[str, Any]:
    """Slot → value for every pickup detail the latest message holds (empty for a question off the topic)."""
    if is_off_topic_question(tracker):
        return {}
    text = latest_text(tracker)
    found: dict[str, Any] = {}
    for start, end, digits in mobiles_in(text):
        found.setdefault("sender_phone", digits)
        text = _blank(text, start, end)
    asked = tracker.get_slot("requested_slot")
    address = find_address(text)
    address_span = None
    if address and (address.city or asked == "pickup_address"):
        found["pickup_address"] = address.text
        address_span = (address.start, address.end)
        text = _blank(text, address.start, address.end)
    window = find_time_window(text)
    if window:
        found["time_window"] = window.text
        text = _blank(text, window.start, window.end)
    destination = _destination(text, tracker, address_span)
    if destination:
        found["destination"] = destination
    item = _item(text, tracker, asked)
    if item:
        found["item"] = item
    name = find_name(text)
    if not name and asked == "sender_name":
        # asked for the name, a bare one counts: "张三，13812345678" (what is left once the phone is blanked)
        name = next((n for clause in re.split(r"[，,。；;！!\s]+", text) if (n := find_name(clause, bare=True))), None)
    if name:
        found["sender_name"] = name.polite
    return found


def is_correction(tracker: Tracker) -> bool:
    """The customer says a value given before was wrong ("电话写错了，是139…")."""
    return bool(CORRECTION_CUE.search(latest_text(tracker)))
