"""Requests about one parcel that the backend records (订阅 notices, 催件): which parcel, and the polite answers.

The parcel is the number in this message, else the one the chat last tracked; without either the customer is
asked, and a slot (`awaiting_…`) lets the number they send next finish the request (data/rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import call_backend, utter_backend_down
from actions.tracking import FORMAT_HINT, tracking_numbers_in
from bot.clients.backend import BackendUnavailable, InvalidInput, NotFound


@dataclass(frozen=True)
class ParcelRequest:
    awaiting_slot: str  # set while the number is asked for
    ask_text: str  # the question for the number
    doing: str  # what cannot be done for an unknown number: "订阅", "催件"


def parcel_in_question(tracker: Tracker) -> str | None:
    """A number in this message first, else the one the chat last tracked."""
    numbers, _ = tracking_numbers_in(tracker)
    if numbers:
        return numbers[0]
    return tracker.get_slot("tracking_number") or None


async def ask_backend(
    dispatcher: CollectingDispatcher, tracker: Tracker, request: ParcelRequest, call: Callable[[str], Any],
) -> tuple[list[EventType], str | None, Any]:
    """(events, number, the backend's answer); number and answer are None when the customer was asked for the
    number or told why it could not be done (unknown or malformed number, backend down)."""
    number = parcel_in_question(tracker)
    if not number:
        if tracking_numbers_in(tracker)[1]:
            dispatcher.utter_message(text=FORMAT_HINT)
        dispatcher.utter_message(text=request.ask_text)
        return [SlotSet(request.awaiting_slot, True)], None, None
    done = [SlotSet(request.awaiting_slot, False)]
    try:
        answer = await call_backend(call, number)
    except NotFound:
        dispatcher.utter_message(
            text=f"抱歉，没有查到单号 {number} 的信息，暂时没法{request.doing}。请核对一下单号，刚寄出的包裹可能要过几个小时才有记录。"
        )
        return done, None, None
    except InvalidInput:
        dispatcher.utter_message(text=f"{number}：{FORMAT_HINT}")
        return done, None, None
    except BackendUnavailable:
        utter_backend_down(dispatcher)
        return done, None, None
    return [*done, SlotSet("tracking_number", number)], number, answer
