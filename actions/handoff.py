"""Handing a conversation to a person: the request, the context an agent needs, the queue answer, callbacks.

The backend (agent console) decides the team and the place in the queue; while an agent owns the conversation
the channel gate (bot/channels/handoff_gate.py) keeps the assistant silent. When the agent ends the session the
console runs `action_handoff_ended` and the satisfaction form through Rasa's HTTP API.
Outside the agents' hours the customer is offered a callback (consent, then a phone number).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import BACKEND_DOWN_TEXT, call_backend
from actions.form_validation import PHONE_KINDS
from actions.forms_common import latest_intent, latest_text
from bot.clients.backend import BackendError, BackendUnavailable, get_client, idempotency_key
from bot.transcript import transcript_lines
from bot.vocabulary.anger import is_angry
from bot.vocabulary.handoff_reasons import HandoffReason
from bot.vocabulary.phones import mask_phone, normalise_mobile

logger = logging.getLogger(__name__)

ANGRY_APOLOGY = "真的非常抱歉，让您遇到这样的情况，您的心情我完全理解。"
MANAGER_RE = re.compile(r"经理|专属|客户经理|大客户")
TRANSCRIPT_LIMIT = 60
SLOTS_FOR_AGENT = (
    "tracking_number", "phone", "customer_vip", "complaint_category", "complaint_description",
    "complaint_tracking_number", "complaint_phone", "claim_tracking_number", "claim_type", "claim_amount",
    "claim_declared_value", "claim_description", "claim_phone", "last_claim_number", "origin", "destination",
    "weight", "service_level", "sender_phone", "pickup_address", "item",
)
_PHONE_SLOTS = ("phone", "complaint_phone", "claim_phone", "sender_phone")


def transcript(tracker: Tracker, limit: int = TRANSCRIPT_LIMIT) -> list[dict[str, Any]]:
    """The conversation so far as the agent reads it: customer and assistant messages with their times."""
    return transcript_lines(tracker.events, limit)


def slots_for_agent(tracker: Tracker) -> dict[str, Any]:
    return {name: tracker.get_slot(name) for name in SLOTS_FOR_AGENT if tracker.get_slot(name) not in (None, "")}


def customer_phone(tracker: Tracker) -> str | None:
    for name in _PHONE_SLOTS:
        phone = normalise_mobile(tracker.get_slot(name))
        if phone:
            return phone
    return None


def detected_intent(tracker: Tracker) -> str | None:
    """What the customer was trying to do: the last intent that was not about getting a person."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and name not in {"request_human", "nlu_fallback", "affirm", "deny", "inform"}:
            return name
    return None


def handoff_payload(tracker: Tracker, reason: str) -> dict[str, Any]:
    # No account manager from here: the backend finds the key customer's manager for the agent itself.
    return {
        "conversation_id": tracker.sender_id,
        "channel": (tracker.get_latest_input_channel() or "rest")[:16],
        "reason": reason,
        "intent": detected_intent(tracker),
        "slots": slots_for_agent(tracker),
        "transcript": transcript(tracker),
        "customer_phone": customer_phone(tracker),
        "is_vip": bool(tracker.get_slot("customer_vip")),
    }


async def open_handoff(tracker: Tracker, reason: str) -> dict[str, Any] | None:
    """The backend's answer (queued / already open / out of hours), or None when it cannot be reached."""
    payload = handoff_payload(tracker, reason)
    try:
        answer = await call_backend(get_client().open_handoff, payload)
    except BackendError as error:
        logger.warning("handoff (%s) not opened: %s", reason, error.code)
        return None
    logger.info("handoff (%s) for phone %s: %s", reason, mask_phone(payload["customer_phone"]) or "-",
                answer.get("status"))
    return answer


async def record_handoff(tracker: Tracker, reason: str) -> bool:
    """Open a handoff without talking to the customer (the caller has said what happens next)."""
    return await open_handoff(tracker, reason) is not None


def marked_angry(tracker: Tracker) -> bool:
    """The NLU's anger detector (bot/nlu/anger.py) marked the latest message `mood: angry`."""
    return any(e.get("entity") == "mood" and e.get("value") == "angry"
               for e in (tracker.latest_message or {}).get("entities") or [])


def reason_for(tracker: Tracker) -> str:
    text = latest_text(tracker)
    if marked_angry(tracker) or is_angry(text):
        return HandoffReason.ANGRY_CUSTOMER
    if tracker.get_slot("customer_vip") and MANAGER_RE.search(text):
        return HandoffReason.MANAGER_REQUESTED
    if last_bot_text(tracker) == BACKEND_DOWN_TEXT:
        return HandoffReason.BACKEND_DOWN
    return HandoffReason.ASKED_FOR_HUMAN


def last_bot_text(tracker: Tracker) -> str | None:
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            return event.get("text")
    return None


# Said to anyone who asks for their account manager, key customer or not: a phone number typed in the chat proves
# nothing, so the manager's name and line are shared by the agent once the caller is verified.
MANAGER_VIA_AGENT = "您要联系的客户经理，人工客服核实您的身份后会为您联系。"


def asked_for_manager(tracker: Tracker) -> bool:
    return bool(MANAGER_RE.search(latest_text(tracker)))


def queued_text(answer: dict[str, Any], reason: str, asked_manager: bool = False) -> str:
    """The queue answer. A key customer is routed first without being told so: the phone that made them one
    was only typed, not proven (no name, label or manager before verification)."""
    opening = {
        HandoffReason.ANGRY_CUSTOMER: f"{ANGRY_APOLOGY}我马上请人工客服来为您处理。",
        HandoffReason.NOT_UNDERSTOOD_TWICE: "抱歉，我连着两次都没能理解您的意思，这就为您转接人工客服。",
    }.get(reason, "好的，这就为您转接人工客服。")
    # The VIP desk goes unnamed: its name would tell whoever typed the phone that it is a key customer's.
    team = "人工客服" if answer.get("team") == "vip" else (answer.get("team_name") or "人工客服")
    if answer.get("status") == "active":
        return "人工客服已经在为您服务了，请直接发送您的问题。"
    if answer.get("status") == "already_open":
        # Asked again while queued ("还要等多久", or another "转人工"): where they stand now, the same request.
        joined = f"您已经在{team}队列中了"
    elif answer.get("status") == "moved":
        # The customer was already waiting: the backend moved that request, keeping the time waited.
        apology = ANGRY_APOLOGY if reason == HandoffReason.ANGRY_CUSTOMER else ""
        joined = f"{apology}已为您转到{team}队列，您之前的排队时间照常保留"
    else:
        joined = f"{opening}已为您接入{team}队列"
    place = answer.get("position") or 1
    wait = answer.get("eta_minutes") or 1
    text = (f"{joined}，您前面还有 {place - 1} 位，大约需要等待 {wait} 分钟。"
            if place > 1 else f"{joined}，您排在第 1 位，大约 {wait} 分钟内会有客服接入。")
    if asked_manager:
        text += MANAGER_VIA_AGENT
    return text + "客服接入前，您也可以继续向我咨询。"


def off_hours_text(answer: dict[str, Any], phone: str | None, reason: str | None = None) -> str:
    when = answer.get("next_open_text") or "上班后"
    opening = ANGRY_APOLOGY if reason == HandoffReason.ANGRY_CUSTOMER else "非常抱歉，"
    text = f"{opening}现在不在人工客服的服务时间，客服将于{when}上班。需要我帮您登记回电吗？客服上班后会尽快给您打电话"
    return text + (f"（{mask_phone(phone)}）。" if phone else "。")


def backend_down_handoff_text() -> str:
    return ("非常抱歉，人工客服系统暂时也连接不上。请您稍等几分钟再回复“转人工”，我会再为您转接；"
            "查件、报价等问题我也可以先帮您处理。")


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> list[EventType]:
    answer = await open_handoff(tracker, reason)
    if answer is None:
        dispatcher.utter_message(text=backend_down_handoff_text())
        return []
    if answer.get("status") == "out_of_hours":
        phone = customer_phone(tracker)
        manager_line = MANAGER_VIA_AGENT if asked_for_manager(tracker) else ""
        dispatcher.utter_message(text=off_hours_text(answer, phone, reason) + manager_line, buttons=[
            {"title": "好的，请回电", "payload": "好的"}, {"title": "不用了", "payload": "不用了"}])
        return [SlotSet("handoff_callback_offered", "offered"), SlotSet("handoff_reason", reason),
                SlotSet("callback_phone", phone)]
    dispatcher.utter_message(text=queued_text(answer, reason, asked_for_manager(tracker)))
    return []


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return await hand_off(dispatcher, tracker, reason_for(tracker))


class ActionHandoffAngry(Action):
    """An angry message (NLU `mood: angry`): a sincere apology and a person, predicted by AngryHandoffPolicy."""

    def name(self) -> str:
        return "action_handoff_angry"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await hand_off(dispatcher, tracker, HandoffReason.ANGRY_CUSTOMER)
        # The mark belongs to that message: a later calm message must not look angry to anyone reading slots.
        return [*events, SlotSet("mood", None)]


def misunderstood_in_a_row(tracker: Tracker) -> int:
    """How many of the customer's latest messages in a row the assistant did not understand (nlu_fallback)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != "nlu_fallback":
            break
        count += 1
    return count


class ActionHandoffNotUnderstood(Action):
    """A low-confidence message: say what the assistant can do; the second one in a row goes to a person."""

    def name(self) -> str:
        return "action_handoff_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        await record_fallback(tracker)
        if misunderstood_in_a_row(tracker) < 2:
            dispatcher.utter_message(response="utter_default")
            return []
        return await hand_off(dispatcher, tracker, HandoffReason.NOT_UNDERSTOOD_TWICE)


async def record_fallback(tracker: Tracker) -> None:
    """Mark the conversation for the KPI page's fallback rate. The mark is only a statistic: a backend that
    cannot take it must not cost the customer the answer."""
    payload = {"type": "fallback", "channel": (tracker.get_latest_input_channel() or "")[:16] or None}
    latest = next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})
    message = str(latest.get("message_id") or latest.get("timestamp") or "")
    key = idempotency_key(tracker.sender_id, "fallback", {"message": message}) if message else None
    try:
        await call_backend(get_client().post_conversation_event, tracker.sender_id, payload, idempotency=key)
    except BackendError as error:
        logger.warning("fallback not recorded for the KPIs: %s", error.code)


class ActionHandoffEnded(Action):
    """Run by the console (Rasa HTTP API) when the agent ends the session; the survey follows."""

    def name(self) -> str:
        return "action_handoff_ended"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text="本次人工服务已结束，接下来由智能客服继续为您服务。")
        # rating_score is left alone: setting it (even to None) would make the form validate it as an answer.
        return [SlotSet("rating_ticket", None)]


class ActionRegisterCallback(Action):
    """The customer agreed to a callback: register it with the number they give (or the one we know)."""

    def name(self) -> str:
        return "action_register_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        phone = normalise_mobile(latest_text(tracker)) or normalise_mobile(tracker.get_slot("callback_phone"))
        if not phone:
            if tracker.get_slot("handoff_callback_offered") == "need_phone":
                dispatcher.utter_message(text=f"抱歉，这个号码好像不太对，请发一个{PHONE_KINDS}；"
                                              "不需要回电的话回复“不用了”。")
            else:
                dispatcher.utter_message(text="好的。请留一个方便接听的手机号，客服上班后会打这个号码联系您。")
            return [SlotSet("handoff_callback_offered", "need_phone")]
        done = [SlotSet("handoff_callback_offered", None), SlotSet("callback_phone", None)]
        payload = {"conversation_id": tracker.sender_id, "channel": (tracker.get_latest_input_channel() or "")[:16] or None,
                   "phone": phone, "reason": tracker.get_slot("handoff_reason") or HandoffReason.ASKED_FOR_HUMAN,
                   "consent": True, "is_vip": bool(tracker.get_slot("customer_vip"))}
        try:
            answer = await call_backend(get_client().request_callback, payload)
        except BackendUnavailable:
            dispatcher.utter_message(text="非常抱歉，系统暂时繁忙，回电没有登记成功。请稍后再回复“转人工”试一次。")
            return done
        except BackendError:
            dispatcher.utter_message(text="抱歉，回电没有登记成功，请确认手机号后再回复“转人工”试一次。")
            return done
        dispatcher.utter_message(
            text=f"已为您登记回电：客服会在{answer.get('call_after_text')}上班后尽快拨打 {mask_phone(phone)} 联系您，"
                 "请留意来电。在此期间有其他问题也可以继续问我。")
        return done


class ActionDeclineCallback(Action):
    def name(self) -> str:
        return "action_decline_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if latest_intent(tracker) == "deny":
            dispatcher.utter_message(text="好的，不为您登记回电了。客服上班后您随时可以回复“转人工”，有其他问题也可以继续问我。")
        return [SlotSet("handoff_callback_offered", None), SlotSet("callback_phone", None)]
