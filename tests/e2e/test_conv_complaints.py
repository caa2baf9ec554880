"""Complaint conversations end to end: Rasa + actions + backend, checked on screen and in the backend."""

from __future__ import annotations

import pytest

from tests.e2e.flows2_chat import Backend, Chat, first, fresh_phone, tw
from tests.e2e.ticket_views import filed_in

pytestmark = pytest.mark.e2e


def test_a_complaint_is_apologised_for_registered_and_rated(stack) -> None:
    chat, backend, phone = Chat(stack, "cp-happy"), Backend(stack), fresh_phone()
    shown = chat.say("我要投诉")
    assert "抱歉" in shown and "[延误]" in shown and "[派送问题]" in shown, chat.history()
    assert "具体经过" in chat.say("派送"), chat.history()
    assert "快递单号" in chat.say("快递员没打电话，直接把包裹放驿站了"), chat.history()
    assert "联系电话" in chat.say("ZT100000000001"), chat.history()
    shown = chat.say(phone)
    assert "派送问题" in shown and phone[:3] + "****" + phone[-4:] in shown and phone not in shown, chat.history()
    shown = chat.say("确认")
    number = first(r"CP\d{12}", shown)
    assert "24 小时内" in shown and "打个分" in shown, chat.history()
    assert "感谢" in chat.say("5"), chat.history()

    [stored] = backend.complaints_of(phone)
    assert stored["number"] == number and stored["category"] == "delivery" and stored["stage"] == "registered"
    detail = filed_in(chat, backend, f"/complaints/{number}")
    assert detail["description"] == "快递员没打电话，直接把包裹放驿站了"
    assert detail["tracking_number"] == "ZT100000000001"
    assert backend.ratings_of(chat.sender) == [(5, number)]


def test_what_the_first_message_says_is_not_asked_again_and_the_phone_is_corrected(stack) -> None:
    chat, backend = Chat(stack, "cp-correct"), Backend(stack)
    wrong, right = fresh_phone(), fresh_phone()
    shown = chat.say("我要投诉，快递员态度很差，打电话还骂人")
    assert "快递单号" in shown and "哪方面" not in shown, chat.history()
    assert "联系电话" in chat.say("没有"), chat.history()
    assert "服务态度" in chat.say(wrong), chat.history()
    shown = chat.say(f"不对，电话是{right}")
    assert right[-4:] in shown and "请核对" in shown, chat.history()
    first(r"CP\d{12}", chat.say("确认"))
    assert "不打扰" in chat.say("不用了"), chat.history()

    assert backend.complaints_of(wrong) == []
    [stored] = backend.complaints_of(right)
    detail = filed_in(chat, backend, f"/complaints/{stored['number']}")
    assert detail["category"] == "attitude" and "骂人" in detail["description"]
    assert detail.get("tracking_number") in (None, "")
    assert backend.ratings_of(chat.sender) == []


def test_a_question_mid_complaint_is_answered_and_cancelling_files_nothing(stack) -> None:
    chat, backend = Chat(stack, "cp-faq"), Backend(stack)
    before = backend.kpi()["counts"]["complaints"]
    chat.say("投诉")
    assert "具体经过" in chat.say("破损"), chat.history()
    shown = chat.say("你们保价怎么收费")
    assert "保价" in shown and "具体经过" in shown, chat.history()
    assert "取消投诉登记" in chat.say("算了"), chat.history()
    assert backend.kpi()["counts"]["complaints"] == before


def test_a_traditional_complaint_is_answered_in_traditional_and_kept_as_written(stack) -> None:
    chat, backend, phone = Chat(stack, "cp-tw"), Backend(stack), fresh_phone()
    shown = chat.say("我要投訴，快遞員態度很差，還摔我的包裹")
    assert tw("抱歉") in shown and tw("快递单号") in shown, chat.history()
    chat.say("沒有")
    shown = chat.say(phone)
    assert tw("请核对投诉信息") in shown, chat.history()
    shown = chat.say("確認")
    number = first(r"CP\d{12}", shown)
    assert tw("您的投诉已登记") in shown, chat.history()
    detail = filed_in(chat, backend, f"/complaints/{number}")
    assert detail["category"] == "attitude" and "摔我的包裹" in detail["description"]
    assert detail["description"].startswith("快遞員")


def test_status_by_ticket_number_and_by_phone(stack) -> None:
    chat, backend, phone = Chat(stack, "cp-status"), Backend(stack), fresh_phone()
    ticket = backend.post("/complaints", {"category": "delay", "description": "一周了还没到", "contact_phone": phone,
                                          "tracking_number": "ZT100000000003"})
    other = backend.post("/complaints", {"category": "attitude", "description": "电话里很不耐烦", "contact_phone": phone})
    backend.post(f"/complaints/{ticket['number']}/stage", {"stage": "verifying"})
    # The number alone from another chat: the stage; the details with the last 4 digits of its phone.
    shown = chat.say(f"投诉单{ticket['number']}处理到哪了")
    assert ticket["number"] in shown and "核实中" in shown and "后 4 位" in shown, chat.history()
    assert "最晚响应时间" not in shown and "延误" not in shown, chat.history()
    shown = chat.say(phone[-4:])
    assert ticket["number"] in shown and "更新于" in shown and "最晚响应时间" in shown, chat.history()
    assert "手机号" in chat.say("查一下投诉进度"), chat.history()
    # A phone number proves nothing: how many, and what to send for the details.
    shown = chat.say(phone)
    assert "名下有 2 条投诉正在处理" in shown and "后 4 位" in shown, chat.history()
    assert ticket["number"] not in shown and other["number"] not in shown and "延误" not in shown, chat.history()
    shown = chat.say("0003")
    assert ticket["number"] in shown and "当前进度" in shown and other["number"] not in shown, chat.history()


def test_someone_elses_phone_reveals_no_ticket(stack) -> None:
    chat, backend, phone = Chat(stack, "cp-status-other"), Backend(stack), fresh_phone()
    ticket = backend.post("/complaints", {"category": "loss", "description": "显示签收但没收到", "contact_phone": phone,
                                          "tracking_number": "ZT100000000002"})
    chat.say("查一下投诉进度")
    shown = chat.say(phone)
    assert "1 条投诉正在处理" in shown and ticket["number"] not in shown, chat.history()
    shown = chat.say("5678")
    assert "没有对上" in shown and "再试 2 次" in shown and ticket["number"] not in shown, chat.history()
    shown = chat.say(ticket["number"])  # the number, with the phone already given, shows it
    assert ticket["number"] in shown and "当前进度" in shown, chat.history()


def test_the_tracked_parcel_is_carried_into_the_complaint(stack) -> None:
    chat, backend, phone = Chat(stack, "cp-carry"), Backend(stack), fresh_phone()
    chat.say("帮我查下快递 ZT100000000003")
    chat.say("我要投诉")
    assert "具体经过" in chat.say("延误"), chat.history()
    shown = chat.say("等了一个星期了还没到")
    assert "联系电话" in shown and "哪个快递单号" not in shown, chat.history()
    assert "ZT100000000003" in chat.say(phone), chat.history()
    number = first(r"CP\d{12}", chat.say("对的"))
    assert filed_in(chat, backend, f"/complaints/{number}")["tracking_number"] == "ZT100000000003"


def test_a_traditional_status_question(stack) -> None:
    chat, backend, phone = Chat(stack, "cp-tw-status"), Backend(stack), fresh_phone()
    ticket = backend.post("/complaints", {"category": "loss", "description": "顯示簽收但沒收到",
                                          "contact_phone": phone, "tracking_number": "ZT100000000002"})
    shown = chat.say(f"我的投訴{ticket['number']}處理得怎麼樣了")
    assert ticket["number"] in shown and tw("已登记") in shown and tw("后 4 位") in shown, chat.history()
    shown = chat.say(phone[-4:])
    assert ticket["number"] in shown and tw("当前进度") in shown, chat.history()
    assert tw("手机号") in chat.say("幫我查一下投訴進度"), chat.history()
    shown = chat.say(phone)
    assert tw("1 条投诉正在处理") in shown and tw("后 4 位") in shown and ticket["number"] not in shown, chat.history()
    shown = chat.say("0002")
    assert ticket["number"] in shown and tw("当前进度") in shown, chat.history()


def test_a_bare_complaint_number_in_traditional_gets_its_status_in_traditional(stack) -> None:
    chat, backend, phone = Chat(stack, "cp-bare-tw"), Backend(stack), fresh_phone()
    ticket = backend.post("/complaints", {"category": "delay", "description": "一週了還沒到", "contact_phone": phone})
    shown = chat.say(f"投訴單號 {ticket['number']}")
    assert ticket["number"] in shown and tw("已登记") in shown and tw("最晚响应时间") not in shown, chat.history()
    shown = chat.say(f"手機尾號{phone[-4:]}")
    assert ticket["number"] in shown and tw("最晚响应时间") in shown, chat.history()
