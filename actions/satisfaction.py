"""Satisfaction survey (满意度调查): after a finished request, a 1–5 rating, skippable, stored in the backend.

Any flow offers the survey by setting `rating_due: true` (and optionally `rating_ticket`) in its final action;
a rule then runs `rating_form`. The answer is read here, never by NLU: "5", "五星", "⭐⭐⭐⭐", "很满意", "不用了".
A low rating (1 or 2) is followed by one more question, what went wrong (`rating_comment`, skippable): the
comment is stored with the rating. The question is added only when the model's domain has the slot, so a model
trained before it keeps the one-question survey instead of failing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import deferred_writes
from actions import ticket_text as tt
from actions.common import call_backend
from actions.form_validation import FormValidation
from bot.clients.backend import BackendUnavailable, InvalidInput, get_client, idempotency_key

logger = logging.getLogger(__name__)

SKIP = "skip"
LOW_SCORE = 2  # this score and below asks what went wrong
COMMENT_SLOT = "rating_comment"
MAX_COMMENT = 500  # what the backend keeps (schemas.Note)
_SKIP_RE = re.compile(r"(不用|不了|算了|跳过|不评|没空|下次|不想|别问|no\b)", re.I)
_DIGIT_RE = re.compile(r"(?<!\d)([1-5])\s*(分|星|颗星)?(?!\d)")
_CN_SCORE = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_RE = re.compile(r"([一二两三四五])\s*(分|星|颗星)")
_WORDS = [
    (5, ("非常满意", "很满意", "特别满意", "超级满意", "太棒", "很好", "非常好", "完美", "满分")),
    (1, ("非常不满意", "很不满意", "太差", "很差", "垃圾", "极差")),
    (2, ("不满意", "不太满意", "差")),
    (4, ("满意", "挺好", "不错", "还行吧", "好")),
    (3, ("一般", "还行", "凑合", "马马虎虎")),
]
# Intents that mean the customer moved on to another request instead of answering the survey.
MOVING_ON = {"track_parcel", "request_quote", "schedule_pickup", "file_complaint", "complaint_status",
             "file_claim", "claim_status", "request_human", "faq", "subscribe_updates"}
# Asked what went wrong, a complaint or a claim in the customer's words is the answer.
COMMENT_INTENTS = {"file_complaint", "file_claim"}


def score_from_text(text: str) -> int | str | None:
    text = text.strip()
    if not text:
        return None
    stars = text.count("⭐") + text.count("★") + text.count("🌟")
    if 1 <= stars <= 5:
        return stars
    found = _DIGIT_RE.search(text)
    if found and (found.group(2) or len(text) <= 3):
        return int(found.group(1))
    found = _CN_RE.search(text)
    if found:
        return _CN_SCORE[found.group(1)]
    if _SKIP_RE.search(text):
        return SKIP
    for score, words in _WORDS:
        if any(word in text for word in words):
            return score
    return None


def asks_for_comment(domain: DomainDict) -> bool:
    """The running model knows the comment question (its domain has the slot)."""
    return COMMENT_SLOT in ((domain or {}).get("slots") or {})


def is_low(score: Any) -> bool:
    return isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= LOW_SCORE


class ValidateRatingForm(FormValidation):
    def name(self) -> str:
        return "validate_rating_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        slots = list(domain_slots)
        if is_low(tracker.get_slot("rating_score")) and asks_for_comment(domain):
            slots.append(COMMENT_SLOT)
        return slots

    async def extract_rating_comment(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self.is_asked(tracker, COMMENT_SLOT):
            return {}
        # What the customer says here is the comment: "快递员态度太差" is what went wrong, not a new complaint.
        # A question, cancel, a person or another request are answered by their rules; "不用了" skips.
        intent = tt.latest_intent(tracker)
        if self.interrupting(tracker) or intent in MOVING_ON - COMMENT_INTENTS:
            return {}
        text = tt.latest_text(tracker).strip()
        if not text:
            return {}
        short = len(text) <= 8
        if short and (score_from_text(text) == SKIP or intent in {"thank", "goodbye", "deny"}):
            return {COMMENT_SLOT: SKIP}
        return {COMMENT_SLOT: text[:MAX_COMMENT]}

    def validate_rating_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {COMMENT_SLOT: value if isinstance(value, str) and value.strip() else SKIP}

    async def extract_rating_score(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if not self.is_asked(tracker, "rating_score"):
            return {}
        text = tt.latest_text(tracker)
        score = score_from_text(text)
        if score is None and tt.latest_intent(tracker) in MOVING_ON | {"cancel", "deny", "goodbye", "thank"}:
            # Not an answer: the survey is dropped quietly (rules take over for a new request).
            return {} if tt.latest_intent(tracker) in MOVING_ON else {"rating_score": SKIP}
        return {"rating_score": score if score is not None else "?"}

    def validate_rating_score(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == SKIP or (isinstance(value, int) and 1 <= value <= 5):
            return {"rating_score": value}
        return self.refuse(dispatcher, domain, "rating_score", "请回复 1 到 5 的数字（5 分最满意）；不想评价的话回复“不用了”。")


def rating_payload(tracker: Tracker, score: int) -> dict[str, Any]:
    payload: dict[str, Any] = {"score": score, "conversation_id": tracker.sender_id}
    if tracker.get_slot("rating_ticket"):
        payload["ticket_number"] = str(tracker.get_slot("rating_ticket"))[:24]
    comment = tracker.get_slot(COMMENT_SLOT)
    if isinstance(comment, str) and comment.strip() and comment != SKIP:
        payload["comment"] = comment.strip()[:MAX_COMMENT]
    return payload


def thanks_text(score: int, commented: bool = False) -> str:
    if score <= 2 and commented:
        return ("谢谢您告诉我们哪里做得不好，您的意见已经记录下来，会交给服务质量团队逐条改进。"
                "给您添麻烦了！如需进一步帮助，随时回复“转人工”；要投诉的话回复“我要投诉”。")
    if score <= 2:
        return "收到您的评分，很抱歉这次没能让您满意。您的意见我们会认真改进，如需进一步帮助，随时回复“转人工”。"
    if score == 3:
        return "感谢您的评分！我们会继续努力，做得更好。"
    return "感谢您的好评！祝您生活愉快 😊"


def reset(domain: DomainDict | None = None) -> list[EventType]:
    events = [SlotSet("rating_score", None), SlotSet("rating_due", None), SlotSet("rating_ticket", None)]
    if asks_for_comment(domain or {}):
        events.append(SlotSet(COMMENT_SLOT, None))
    return events


class ActionSaveRating(Action):
    def name(self) -> str:
        return "action_save_rating"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        score = tracker.get_slot("rating_score")
        if not isinstance(score, int) or not 1 <= score <= 5:
            dispatcher.utter_message(text="好的，不打扰您了。还有其他需要随时找我。")
            return reset(domain)
        payload = rating_payload(tracker, score)
        key = idempotency_key(tracker.sender_id, "rating", payload)
        try:
            await call_backend(get_client().create_rating, payload, idempotency=key)
        except BackendUnavailable:
            # Saved by the outbox worker, or failing that by the retry on the customer's next message.
            await deferred_writes.keep("rating", key, tracker.sender_id, {"body": payload})
            dispatcher.utter_message(text="感谢您的评分！系统有点忙，评分稍后会自动为您保存。")
            return [*reset(domain), SlotSet("rating_pending", {"payload": payload, "key": key})]
        except InvalidInput as error:
            logger.info("rating refused: %s", error.code)
        dispatcher.utter_message(text=thanks_text(score, "comment" in payload))
        return reset(domain)


async def retry_pending_rating(tracker: Tracker) -> list[EventType]:
    pending = tracker.get_slot("rating_pending")
    if not isinstance(pending, dict) or not pending.get("payload"):
        return []
    try:
        await call_backend(get_client().create_rating, pending["payload"], idempotency=pending["key"])
    except BackendUnavailable:
        return []
    except InvalidInput:
        pass
    await deferred_writes.forget(pending["key"])
    return [SlotSet("rating_pending", None)]
