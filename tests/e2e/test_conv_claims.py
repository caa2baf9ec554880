"""Claim conversations end to end: the cap that applies, photos, the manual-review limit, status."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.e2e.flows2_chat import Backend, Chat, first, fresh_phone, tw
from tests.e2e.ticket_views import filed_in

pytestmark = pytest.mark.e2e

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def photo_url() -> Iterator[str]:
    """Where the channel says the customer's photo is (WeChat's PicUrl / the web chat's upload)."""

    class Photo(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Photo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/photo.png"
    server.shutdown()


def test_an_uninsured_damage_claim_with_a_photo(stack, photo_url: str) -> None:
    chat, backend, phone = Chat(stack, "cl-photo"), Backend(stack), fresh_phone()
    assert "快递单号" in chat.say("我要理赔"), chat.history()
    assert "[破损]" in chat.say("ZT100000000002"), chat.history()
    assert "保价" in chat.say("破损"), chat.history()
    assert "损失" in chat.say("没有保价"), chat.history()
    assert "描述" in chat.say("300元"), chat.history()
    assert "联系电话" in chat.say("杯子碎了两个，外箱也压扁了"), chat.history()
    assert "照片" in chat.say(phone), chat.history()
    assert "已收到 1 张照片" in chat.say("[图片]", image_url=photo_url), chat.history()
    shown = chat.say("好了")
    assert "¥300.00" in shown and "1 张" in shown, chat.history()
    shown = chat.say("确认")
    number = first(r"CL\d{12}", shown)
    assert "运费的 3 倍" in shown and "1 张照片" in shown and "3 个工作日" in shown, chat.history()
    chat.say("4分")

    claim = filed_in(chat, backend, f"/claims/{number}")
    assert claim["claim_type"] == "damage" and claim["insured"] is False
    assert claim["claimed_amount_fen"] == 30000 and claim["cap_rule"] == "uninsured_freight_multiple"
    assert claim["evidence_count"] == 1 and claim["needs_manual_review"] is False
    assert backend.ratings_of(chat.sender) == [(4, number)]


def test_a_claim_above_the_limit_goes_to_a_specialist(stack) -> None:
    chat, backend, phone = Chat(stack, "cl-review"), Backend(stack), fresh_phone()
    before = backend.kpi()["handoffs_by_reason"].get("claim_over_limit", 0)
    assert "保价" in chat.say("ZT100000000007 丢了 我要理赔"), chat.history()
    assert "保价金额" in chat.say("保价了"), chat.history()
    chat.say("5000")
    chat.say("4800")
    chat.say("整箱都没收到，物流显示已签收")
    shown = chat.say(phone)
    assert "照片" in shown, chat.history()
    assert "¥5000.00" in chat.say("没有照片"), chat.history()
    shown = chat.say("确认")
    number = first(r"CL\d{12}", shown)
    assert "理赔专员亲自审核" in shown and "¥2000.00" in shown, chat.history()
    assert "正在为您转接" not in shown, chat.history()

    claim = filed_in(chat, backend, f"/claims/{number}")
    assert claim["needs_manual_review"] is True and claim["compensation_cap_fen"] == 500000
    assert claim["claim_type"] == "loss" and claim["declared_value_fen"] == 500000
    assert backend.kpi()["handoffs_by_reason"].get("claim_over_limit", 0) == before + 1


def test_a_traditional_delay_claim_asks_no_amount_and_waives_the_freight(stack) -> None:
    chat, backend, phone = Chat(stack, "cl-tw-delay"), Backend(stack), fresh_phone()
    chat.say("我要申請理賠")
    chat.say("ZT100000000003")
    assert tw("保价") in chat.say("延誤"), chat.history()
    shown = chat.say("沒有保價")
    assert tw("描述") in shown and tw("损失") not in shown, chat.history()
    assert tw("联系电话") in chat.say("晚了五天才到，耽誤了事情"), chat.history()
    shown = chat.say(phone)
    assert tw("请核对理赔信息") in shown and tw("照片") not in shown, chat.history()
    shown = chat.say("確認")
    number = first(r"CL\d{12}", shown)
    assert tw("免除运费") in shown, chat.history()
    claim = filed_in(chat, backend, f"/claims/{number}")
    assert claim["claim_type"] == "delay" and claim["cap_rule"] == "delay_freight_waived"


def test_a_question_and_a_correction_while_claiming(stack) -> None:
    chat, backend, phone = Chat(stack, "cl-correct"), Backend(stack), fresh_phone()
    chat.say("申请理赔")
    shown = chat.say("保价费怎么算")
    assert "保价" in shown and "快递单号" in shown, chat.history()
    chat.say("ZT100000000002")
    chat.say("少件")
    chat.say("没保价")
    chat.say("500")
    chat.say("少了一件外套")
    chat.say(phone)
    chat.say("没有")
    shown = chat.say("金额改成800")
    assert "¥800.00" in shown and "请核对" in shown, chat.history()
    number = first(r"CL\d{12}", chat.say("确认"))
    claim = filed_in(chat, backend, f"/claims/{number}")
    assert claim["claim_type"] == "missing" and claim["claimed_amount_fen"] == 80000


def test_a_cancelled_claim_stores_nothing(stack) -> None:
    chat, backend = Chat(stack, "cl-cancel"), Backend(stack)
    before = backend.kpi()["counts"]["claims_pending"]
    chat.say("我要理赔")
    chat.say("ZT100000000002")
    assert "取消理赔申请" in chat.say("算了"), chat.history()
    assert backend.kpi()["counts"]["claims_pending"] == before


def test_status_shows_the_payout_date_once_approved(stack) -> None:
    chat, backend, phone = Chat(stack, "cl-status"), Backend(stack), fresh_phone()
    claim = backend.post("/claims", {"tracking_number": "ZT100000000002", "claim_type": "damage",
                                     "insured": False, "claimed_amount_fen": 5000,
                                     "description": "杯子碎了", "contact_phone": phone})
    # The number alone from another chat: the stage; the details with the last 4 digits of the claim's phone.
    shown = chat.say(f"理赔单{claim['number']}怎么样了")
    assert claim["number"] in shown and "已受理" in shown and "后 4 位" in shown, chat.history()
    assert "¥" not in shown and "破损" not in shown, chat.history()
    backend.post(f"/claims/{claim['number']}/decision", {"approved": True})
    shown = chat.say(phone[-4:])
    assert "¥50.00" in shown and "前完成赔付" in shown, chat.history()
    assert "手机号" in chat.say("查一下理赔进度"), chat.history()
    # A phone number proves nothing: how many, and what to send for the details.
    shown = chat.say(phone)
    assert "名下有 1 条理赔正在处理" in shown and "后 4 位" in shown, chat.history()
    assert claim["number"] not in shown and "¥50.00" not in shown, chat.history()
    shown = chat.say("0002")  # ZT100000000002
    assert claim["number"] in shown and "¥50.00" in shown and "前完成赔付" in shown, chat.history()


def test_a_traditional_status_by_phone_stays_traditional(stack) -> None:
    chat, backend, phone = Chat(stack, "cl-tw-status"), Backend(stack), fresh_phone()
    claim = backend.post("/claims", {"tracking_number": "ZT100000000007", "claim_type": "loss", "insured": True,
                                     "description": "整箱不見了", "contact_phone": phone})
    assert tw("手机号") in chat.say("幫我查一下理賠進度"), chat.history()
    shown = chat.say(phone)
    assert tw("1 条理赔正在处理") in shown and claim["number"] not in shown, chat.history()
    shown = chat.say("1234")
    assert tw("没有对上") in shown and claim["number"] not in shown, chat.history()
    shown = chat.say("0007")
    assert claim["number"] in shown and tw("当前进度") in shown, chat.history()


def test_a_bare_claim_number_pasted_unprompted_gets_its_status(stack) -> None:
    chat, backend, phone = Chat(stack, "cl-bare"), Backend(stack), fresh_phone()
    claim = backend.post("/claims", {"tracking_number": "ZT100000000002", "claim_type": "damage",
                                     "insured": False, "claimed_amount_fen": 3000,
                                     "description": "杯子碎了", "contact_phone": phone})
    chat.say("你好")
    shown = chat.say(claim["number"])
    assert claim["number"] in shown and "已受理" in shown, chat.history()
    assert "格式" not in shown and "没太明白" not in shown, chat.history()
    assert "¥" not in shown and "后 4 位" in shown, chat.history()  # not this chat's claim: the stage only
    shown = chat.say(phone[-4:])
    assert "最高可赔" in shown and "当前进度" in shown, chat.history()


@pytest.mark.parametrize("asked", ["理赔一般多久能到账", "理賠一般幾天到賬"])
def test_a_general_payout_question_gets_the_rule_not_a_demand_for_a_number(stack, asked: str) -> None:
    chat = Chat(stack, "cl-general")
    shown = chat.say(asked)
    days = "3 個工作日" if "賠" in asked else "3 个工作日"
    assert days in shown, chat.history()
    # The rule first; a look-up is only offered, and the next message is the customer's own again.
    assert "请发一下理赔单号" not in shown and tw("请发一下理赔单号") not in shown, chat.history()
    thanks = chat.say("好的，谢谢")
    assert "没认出理赔单号" not in thanks and tw("没认出理赔单号") not in thanks, chat.history()
