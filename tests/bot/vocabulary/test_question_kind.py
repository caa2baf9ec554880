"""A general question about a time limit vs a question about the customer's own ticket."""

import pytest

from bot.vocabulary.question_kind import is_general_question, is_queue_wait_question


@pytest.mark.parametrize("text", [
    "理赔一般多久到账", "赔款多久能到账啊", "理賠一般多久到賬", "投诉一般多久处理", "申请理赔后几天能拿到钱",
    "赔偿款什么时候打过来", "你们理赔时效是多少天", "賠款一般要幾耐先到賬", "理賠審核過咗幾日有錢",
])
def test_general_questions(text):
    assert is_general_question(text)


@pytest.mark.parametrize("text", [
    "我的赔款怎么还没到账", "理赔到账没", "上周申请的理赔什么时候到账", "CL731055281901 多久到账",
    "赔款说三个工作日 现在还没到", "帮我查一下理赔进度", "13812345678 理赔多久", "理赔", "查理赔",
    "我投诉的事多久有结果",
])
def test_own_case_questions(text):
    assert not is_general_question(text)


@pytest.mark.parametrize("text", [
    "还要等多久", "还要等多久啊？", "要等多久", "我还要排多久", "前面还有几个人", "排到我了吗", "客服怎么还没来",
    "還要等多久", "人工怎么还不接", "什么时候能有人", "还得等多长时间😭",
])
def test_queue_wait_questions(text):
    assert is_queue_wait_question(text)


@pytest.mark.parametrize("text", [
    "快递还要多久到", "ZT100000000001 还要等多久", "等一下", "我等了三天了快递还没到，你们到底怎么回事，还要等多久才能送到",
    "转人工", "在吗",
])
def test_not_queue_wait_questions(text):
    assert not is_queue_wait_question(text)
