"""What the agent reads instead of the assistant's internal names: slots and intents in Chinese, values in words.

The handoff carries what the assistant collected as slot names and raw values (`tracking_number`,
`customer_vip: false`, `claim_amount: 50000` in fen) and the intent the customer was pursuing (`file_claim`).
The console shows "快递单号", "重点客户：否", "申请赔偿：¥500.00", "想办的事：申请理赔". A name without a label
(a slot added later) is still shown, as itself, so nothing the assistant collected is hidden.
"""

from __future__ import annotations

import json
from typing import Any

from bot.backend.public import CLAIM_TYPE_TEXT, COMPLAINT_CATEGORY_TEXT, SERVICE_LEVEL_TEXT

SLOT_LABELS = {
    "tracking_number": "快递单号",
    "phone": "手机号",
    "customer_vip": "重点客户",
    "complaint_category": "投诉类别",
    "complaint_description": "投诉内容",
    "complaint_tracking_number": "投诉快件单号",
    "complaint_phone": "投诉联系电话",
    "claim_tracking_number": "理赔快件单号",
    "claim_type": "理赔类型",
    "claim_amount": "申请赔偿",
    "claim_declared_value": "保价金额",
    "claim_description": "理赔情况说明",
    "claim_phone": "理赔联系电话",
    "last_claim_number": "最近的理赔单号",
    "origin": "寄件地",
    "destination": "收件地",
    "weight": "重量",
    "service_level": "服务类型",
    "sender_phone": "寄件人电话",
    "pickup_address": "取件地址",
    "item": "物品",
}

INTENT_LABELS = {
    "greet": "打招呼",
    "goodbye": "道别",
    "thank": "致谢",
    "affirm": "确认",
    "deny": "否定",
    "bot_challenge": "询问是否机器人",
    "inform": "补充信息",
    "out_of_scope": "业务范围外的问题",
    "nlu_fallback": "未能识别",
    "track_parcel": "查件",
    "request_quote": "寄件报价",
    "schedule_pickup": "预约上门取件",
    "file_complaint": "投诉",
    "complaint_status": "查询投诉进度",
    "file_claim": "申请理赔",
    "claim_status": "查询理赔进度",
    "request_human": "转人工",
    "faq": "常见问题咨询",
    "cancel": "取消",
    "subscribe_updates": "订阅快件动态",
    "hurry_parcel": "催件",
    "EXTERNAL_parcel_update": "快件动态通知",
}

_MONEY_SLOTS = ("claim_amount", "claim_declared_value")
_CODE_WORDS = {
    "complaint_category": COMPLAINT_CATEGORY_TEXT,
    "claim_type": CLAIM_TYPE_TEXT,
    "service_level": SERVICE_LEVEL_TEXT,
}


def intent_text(intent: str | None) -> str | None:
    """The customer's aim in words; None when the assistant recorded none."""
    if not intent:
        return None
    return INTENT_LABELS.get(intent, intent)


def value_text(slot: str, value: Any) -> str:
    """A slot's value as an agent reads it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if slot in _CODE_WORDS and isinstance(value, str):
        return _CODE_WORDS[slot].get(value, value)
    if slot in _MONEY_SLOTS and isinstance(value, int | float):
        return f"¥{value / 100:,.2f}"  # the assistant keeps money in fen
    if slot == "weight" and isinstance(value, int | float):
        return f"{value:g} 公斤"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def slot_lines(slots: dict[str, Any]) -> list[dict[str, str]]:
    """[{key, label, value}] in the order above (then any other slot), for the console's "收集的信息"."""
    order = {name: index for index, name in enumerate(SLOT_LABELS)}
    keys = sorted(slots, key=lambda name: (order.get(name, len(order)), name))
    return [{"key": key, "label": SLOT_LABELS.get(key, key), "value": value_text(key, slots[key])} for key in keys
            if slots[key] is not None and slots[key] != ""]
