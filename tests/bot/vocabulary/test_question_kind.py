"""A general question about a time limit vs a question about the customer's own ticket."""

import pytest

from bot.vocabulary.question_kind import is_general_question


@pytest.mark.parametrize("text", [
    "理赔一般多久到账", "赔款多久能到账啊", "理賠一般多久到賬", "投诉一般多久处理", "申请理赔后几天能拿到钱",
    "赔偿款什么时候打过来", "你们理赔时效是多少天",
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
