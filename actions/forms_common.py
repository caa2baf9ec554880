"""Form mechanics shared by every flow: reading what the customer just said, parsing form answers, cancelling.

The NLU extracts entities; these helpers add a careful look at the raw text for answers the NLU may miss
("5" when asked for the weight, "北京" without a role), so a form never asks twice for something it was told.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.vocabulary import geography, numerals, tasks
from bot.vocabulary.script import to_simplified

# Intents whose messages never answer a form question: the form lets their rules answer instead.
# Low-confidence (nlu_fallback) and out_of_scope messages still may: a name or an address often looks odd
# to the classifier, and a form that asked for one should take it.
NOT_AN_ANSWER = {
    "faq", "cancel", "request_human", "bot_challenge", "greet", "goodbye", "thank", "subscribe_updates",
}

SKIP_RE = re.compile(r"不知道|不清楚|没有|没量|不确定|不记得|跳过|不用|算不出|没尺寸|不知")
AFFIRM_RE = re.compile(r"^(确认|确定|对|对的|是的|是|没问题|没错|好|好的|可以|行|ok|OK|嗯|嗯嗯|提交|下单)[!！。.~～]*$")
DENY_RE = re.compile(r"不对|不是|错了|有误|改一下|修改|要改|改|不行|不确认|等等|等一下")

FORM_LABELS = {
    "tracking_form": "查件",
    "quote_form": "运费查询",
    "pickup_form": "上门取件预约",
    "complaint_form": "投诉登记",
    "complaint_status_form": "投诉进度查询",
    "claim_form": "理赔申请",
    "claim_status_form": "理赔进度查询",
    "rating_form": "服务评价",
}


def latest_text(tracker: Tracker) -> str:
    """The customer's latest message in Simplified script (Traditional input is normalised)."""
    return to_simplified((tracker.latest_message or {}).get("text") or "").strip()


def latest_intent(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


NEVER_AN_ANSWER = {"cancel", "request_human"}
QUESTION_RE = re.compile(r"[吗嘛呢？?啥咋]|怎么|怎样|多少|几[天点时个号]|能不能|可不可以|是否|什么|哪些|如何|为什么|多久")


def looks_like_question(text: str) -> bool:
    return bool(QUESTION_RE.search(text))


OFF_TOPIC_INTENTS = {"out_of_scope", "nlu_fallback"}
# Below this, an out_of_scope statement is more likely a mismatched answer ("顺丰" asked for the size, 0.35)
# than small talk ("讲个笑话" 0.95, "今天天气怎么样" 0.98): it gets a hint instead of the out-of-scope answer.
OUT_OF_SCOPE_SURE = 0.8
# Small talk with its own answer mid-form ("你是机器人吗"): data/rules/off_topic_in_forms.yml.
CHITCHAT_INTENTS = {"bot_challenge"}


def is_off_topic(tracker: Tracker) -> bool:
    """An out-of-scope message, small talk, or a question the classifier did not understand ("今天天气怎么样").

    Callers first look for the value they asked for: only a message that does not hold it is off topic.
    The form then leaves it alone, and the off-topic rules (data/rules/off_topic_in_forms.yml) answer it
    and ask the question once. A short statement the classifier did not understand ("顺丰") is a
    mismatched answer instead, which gets a hint saying what is expected. A request for another task is left
    alone too: the dialogue policy then leaves the form for it (`asks_for_another_task`).
    """
    intent = latest_intent(tracker)
    if intent in CHITCHAT_INTENTS or asks_for_another_task(tracker):
        return True
    if intent == "out_of_scope" and _confidence(tracker) >= OUT_OF_SCOPE_SURE:
        return True
    return intent in OFF_TOPIC_INTENTS and looks_like_question(latest_text(tracker))


def asks_for_another_task(tracker: Tracker) -> bool:
    """"寄3公斤到北京多少钱" while a complaint look-up waits for 4 digits: not an answer but a new request.

    The form lets go of it and the dialogue policy leaves the form for the new task (bot/policies/task_switch.py).
    """
    form = (tracker.active_loop or {}).get("name")
    return tasks.asks_for_another_task(latest_intent(tracker), _confidence(tracker), form,
                                       tracker.get_slot("requested_slot"))


def _confidence(tracker: Tracker) -> float:
    return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)


def is_off_topic_question(tracker: Tracker) -> bool:
    """For free-text answers (a name, an address, what happened) only an off-topic *question* is off topic:
    names and addresses often look out of scope to the classifier."""
    intent = latest_intent(tracker)
    return intent in OFF_TOPIC_INTENTS | CHITCHAT_INTENTS and looks_like_question(latest_text(tracker))


def is_answer_turn(tracker: Tracker) -> bool:
    """False for FAQ, cancel, handoff…: their rules answer them and the form must not take the text.

    A short non-question the classifier filed under FAQ ("标准", "改一下") is still an answer: the form
    asked a question, and a FAQ is asked, not stated.
    """
    intent = latest_intent(tracker)
    if intent in NEVER_AN_ANSWER:
        return False
    if intent == "faq":
        text = latest_text(tracker)
        return len(text) <= 12 and not looks_like_question(text)
    return intent not in NOT_AN_ANSWER


def entities(tracker: Tracker, name: str) -> list[dict[str, Any]]:
    return [e for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == name]


def entity_value(tracker: Tracker, name: str) -> str | None:
    found = entities(tracker, name)
    return str(found[0].get("value")) if found else None


CORRECTION_ENTITIES = {"weight", "city", "phone", "tracking_number", "item"}


def carries_other_answer(tracker: Tracker, own: str) -> bool:
    """The message names another value ("不对，是3公斤" while asked for the size): a correction, not this answer."""
    return any(e.get("entity") in CORRECTION_ENTITIES and e.get("entity") != own
               for e in (tracker.latest_message or {}).get("entities") or [])


def previous_slot_value(tracker: Tracker, slot: str) -> Any:
    """The value a slot had before the latest user message (to tell a correction from a first answer)."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user = True
            continue
        if seen_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def is_activation(tracker: Tracker) -> bool:
    """The validation action runs at form activation with no requested slot yet."""
    return not tracker.get_slot("requested_slot")


# ---- cities ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _spelling_pattern() -> re.Pattern[str]:
    spellings = sorted(geography.place_spellings(), key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in spellings))


def cities_in_text(text: str) -> list[str]:
    """Canonical names of the places mentioned in free text, in order."""
    spellings = geography.place_spellings()
    found: list[str] = []
    for match in _spelling_pattern().finditer(to_simplified(text)):
        name = spellings.get(match.group(0))
        if name and not geography.is_ambiguous(name) and name not in found:
            found.append(name)
    return found


def normalise_city(value: Any) -> str | None:
    if not value:
        return None
    return geography.normalize_place(str(value)) or None


_SENT_FROM_AFTER = re.compile(r"^(?:市)?(?:寄出|发出|出发|发货|寄过去|发过去)")


def _city_side_from_text(text: str, city_start: int, city_end: int | None = None) -> str | None:
    """Cue words around a city name: "从/由…" and "…寄出" → origin, "到/寄往/送…" → destination."""
    if city_end is not None and _SENT_FROM_AFTER.match(text[city_end:city_end + 4]):
        return "origin"
    before = text[max(0, city_start - 3):city_start]
    if re.search(r"(到|往|至|去|送|寄)$", before):
        return "destination"
    if re.search(r"(从|由|自|在)$", before):
        return "origin"
    return None


def cities_by_role(tracker: Tracker) -> dict[str, str]:
    """Origin/destination named in the latest message, from entity roles, cue words, then the question asked.

    A lone city answers the question the form asked (the NLU may guess a role for a bare "北京").
    """
    text = latest_text(tracker)
    found: dict[str, str] = {}
    unassigned: list[str] = []
    city_entities = entities(tracker, "city")
    for ent in city_entities:
        city = normalise_city(ent.get("value"))
        if not city:
            continue
        side = _city_side_from_text(text, int(ent.get("start") or 0), ent.get("end")) if "start" in ent else None
        role = side or ent.get("role")
        if role in ("origin", "destination") and role not in found:
            found[role] = city
        else:
            unassigned.append(city)
    if not city_entities:
        for match in _spelling_pattern().finditer(text):
            city = normalise_city(match.group(0))
            if not city or geography.is_ambiguous(city):
                continue
            side = _city_side_from_text(text, match.start(), match.end())
            if side and side not in found:
                found[side] = city
            elif city not in found.values():
                unassigned.append(city)
    requested = tracker.get_slot("requested_slot")
    if len(city_entities) == 1 and requested in ("origin", "destination") and not found.get(requested):
        # one bare city answers the question asked, whatever role the NLU guessed
        only = next(iter(found.values()), None) or (unassigned[0] if unassigned else None)
        if only and not re.search(r"(从|由|到|往|寄|送|发出|出发)", text):
            return {requested: only}
    for city in unassigned:
        for side in (requested, "origin", "destination"):
            if side in ("origin", "destination") and side not in found:
                found[side] = city
                break
    return found


# ---- weights, sizes, service levels ----------------------------------------------------------------------
_MONEY_RE = re.compile(r"(保价|价值|[¥￥])?\s*\d+(?:\.\d+)?\s*(元|块|rmb)|[¥￥]\s*\d+(?:\.\d+)?", re.I)


def parse_weight_kg(text: str) -> Decimal | None:
    """"5公斤" "2.5kg" "10斤" "500克" "5" "三公斤" "一斤半" → kilograms (bot/vocabulary/numerals.py); money is not
    a weight."""
    text = to_simplified(text).lower()
    return numerals.parse_weight_kg(_MONEY_RE.sub("", text))  # "保价3000块" is money, not 3000 kg


def format_kg(value: Decimal | str | float) -> str:
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return text


def parse_dimensions(text: str) -> tuple[int, int, int] | None:
    """"30x20x10" "30*20*10" "30×20×10cm" "长30宽20高10" → (30, 20, 10) in cm."""
    text = to_simplified(text).lower()
    m = re.search(r"(\d+(?:\.\d+)?)\s*[x×*乘]\s*(\d+(?:\.\d+)?)\s*[x×*乘]\s*(\d+(?:\.\d+)?)", text)
    if not m:
        m = re.search(r"长\D{0,2}(\d+(?:\.\d+)?)\D{0,4}宽\D{0,2}(\d+(?:\.\d+)?)\D{0,4}高\D{0,2}(\d+(?:\.\d+)?)", text)
    if not m:
        return None
    factor = 100 if re.search(r"(?<!c)m(?!m)|米", text) and not re.search(r"cm|厘米|公分", text) else 1
    sizes = tuple(int(Decimal(g) * factor + Decimal("0.5")) for g in m.groups())
    return sizes  # type: ignore[return-value]


def parse_service_level(text: str) -> str | None:
    text = to_simplified(text)
    if re.search(r"特快|加急|急件|最快|次日达|快一点|快点的|express", text, re.I):
        return "express"
    if re.search(r"标准|普通|经济|便宜|慢点|standard", text, re.I):
        return "standard"
    return None


SERVICE_LEVEL_TEXT = {"standard": "标准快递", "express": "特快"}


# ---- cancelling any form ---------------------------------------------------------------------------------
class ActionCancelForm(Action):
    """"算了/不用了" inside a form: stop it politely and forget what it collected."""

    def name(self) -> str:
        return "action_cancel_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = (tracker.active_loop or {}).get("name")
        if form == "rating_form" and tracker.get_slot("requested_slot") == "rating_comment":
            # The score is given; "不用了" to "what went wrong?" skips the comment, it does not take the score back.
            from actions.satisfaction import ActionSaveRating  # satisfaction builds on this module

            saved = await ActionSaveRating().run(dispatcher, tracker, domain)
            return [ActiveLoop(None), SlotSet("requested_slot", None), *saved]
        label = FORM_LABELS.get(form or "", "当前的办理")
        dispatcher.utter_message(text=f"好的，已为您取消{label}。还有其他需要随时告诉我 😊")
        return leave_form(form, domain)


def leave_form(form: str | None, domain: DomainDict) -> list[EventType]:
    """Close the open form and forget what it collected (cancelled, or left for another task)."""
    required = ((domain.get("forms") or {}).get(form or "") or {}).get("required_slots") or []
    if isinstance(required, dict):  # older domain format lists slots as keys
        required = list(required)
    events: list[EventType] = [ActiveLoop(None), SlotSet("requested_slot", None)]
    events += [SlotSet(slot, None) for slot in required]
    if form == "pickup_form":
        events.append(SlotSet("pickup_edit_pending", None))
    return events
