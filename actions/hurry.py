"""催件: "帮我催一下" (or the tracking card's 催件 button) asks the parcel's delivery outlet to hurry it.

The backend decides whether a follow-up is recorded (only for a late parcel, one open per parcel) and when it
is due (docs/service-rules.md); this action says what was recorded and by when the customer hears back. The
answer shows nothing beyond the public tracking summary (status, outlet, times), so it needs no verification.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import then_listen
from actions.parcel_requests import ParcelRequest, ask_backend
from actions.ticket_text import format_day, format_time
from bot.clients.backend import get_client

HURRY = ParcelRequest(
    awaiting_slot="awaiting_hurry_number",
    ask_text="好的，马上帮您催。请问是哪个快递？把单号发给我就行，比如 ZT123456789012。",
    doing="催件",
)


def hurry_text(answer: dict[str, Any]) -> str:
    """What the customer is told: the follow-up and its due time, or why none was needed."""
    number = answer.get("tracking_number") or ""
    follow_up = answer.get("follow_up") or {}
    due = format_time(follow_up.get("due_at"))
    if answer.get("recorded") and answer.get("created"):
        return (
            f"已为您催件 ✅ 单号 {number} 的加急跟进已登记给{follow_up.get('outlet')}，网点会尽快核实包裹情况，"
            f"最晚 {due} 前给出处理结果并更新到物流信息里，您在这里查件就能看到。给您添麻烦了，非常抱歉！"
        )
    if answer.get("recorded"):
        return (
            f"单号 {number} 已经在加急跟进中了：{format_time(follow_up.get('created_at'))} 已登记给"
            f"{follow_up.get('outlet')}，最晚 {due} 前会给出处理结果，无需重复催件。给您添麻烦了，请再稍等一下。"
        )
    reason = answer.get("reason")
    if reason == "delivered":
        return (
            f"单号 {number} 已经签收了，不需要再催件哦。如果您还没有收到，回复手机号后 4 位可以核实签收信息，"
            "也可以直接投诉，我们马上帮您查。"
        )
    if reason == "returned":
        return f"单号 {number} 已经退回寄件人了，不需要催件。如有疑问，可以回复“转人工”，由人工客服为您核实。"
    return (
        f"单号 {number} 目前{answer.get('status_text') or '在途'}，还在正常时效内，预计 {format_day(answer.get('eta'))}"
        "送达，暂时不需要催件。如果过了预计时间还没到，再跟我说“催一下”，我马上帮您登记加急。"
    )


class ActionHurryParcel(Action):
    def name(self) -> str:
        return "action_hurry_parcel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return then_listen(await self._hurry(dispatcher, tracker))

    @staticmethod
    async def _hurry(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        channel = tracker.get_latest_input_channel() or "unknown"
        events, number, answer = await ask_backend(
            dispatcher, tracker, HURRY,
            lambda parcel: get_client().hurry_parcel(parcel, tracker.sender_id, channel))
        if answer is not None:
            dispatcher.utter_message(text=hurry_text(answer))
        return events
