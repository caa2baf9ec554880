"""WeChat draws no cards: a tracking answer stays its text, and the card's next steps become numbered options."""

from actions.tracking_card import hurry_payload, tracking_card
from bot.channels.wechat.render import OPTIONS_HINT, render

DELAYED = {"tracking_number": "ZT100000000003", "status": "delayed", "status_text": "延误", "origin_city": "成都",
           "destination_city": "杭州", "current_city": "武汉", "eta": "2026-12-05", "is_delayed": True,
           "last_event": {"time": "2026-12-06T09:00:00+08:00", "city": "武汉", "status": "delayed",
                          "description": "受天气影响"}}


def test_the_cards_actions_are_options_after_the_text_without_repeating_the_apologys():
    turn = [
        {"text": "⏰ 单号 ZT100000000003：延误\n非常抱歉…",
         "buttons": [{"title": "我要投诉", "payload": "/file_complaint"}, {"title": "申请理赔", "payload": "/file_claim"}]},
        {"custom": tracking_card(DELAYED)},
    ]
    rendered = render(turn)
    assert rendered.text.startswith("⏰ 单号 ZT100000000003：延误")
    assert rendered.options == [("我要投诉", "/file_complaint"), ("申请理赔", "/file_claim"),
                                ("催件", hurry_payload("ZT100000000003")), ("改地址", "怎么修改收件地址")]
    assert "3. 催件" in rendered.text and "4. 改地址" in rendered.text and rendered.text.endswith(OPTIONS_HINT)
    assert "tracking_card" not in rendered.text and "timeline" not in rendered.text


def test_a_card_alone_still_gives_its_options():
    rendered = render([{"text": "✅ 单号 ZT100000000002：已签收"},
                       {"custom": tracking_card({**DELAYED, "status": "delivered", "is_delayed": False})}])
    assert rendered.options == [("投诉", "/file_complaint"), ("理赔", "/file_claim")]
    assert rendered.text.splitlines()[:3] == ["✅ 单号 ZT100000000002：已签收", "", "1. 投诉"]
