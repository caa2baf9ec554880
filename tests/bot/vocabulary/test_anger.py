"""The one anger lexicon: scores in both scripts, and the handoff actions choose their reason by it."""

import pytest

from actions.handoff import reason_for
from bot.vocabulary.anger import is_angry, score_anger
from bot.vocabulary.handoff_reasons import HandoffReason
from tests.actions.action_helpers import make_tracker, user


@pytest.mark.parametrize("text", ["你们太垃圾了😡", "氣死我了", "骗子公司", "什么破快递"])
def test_angry_messages(text):
    assert is_angry(text), score_anger(text)


@pytest.mark.parametrize("text", ["我要投诉", "怎么还没到", "垃圾桶能寄吗", "转人工"])
def test_calm_messages(text):
    assert not is_angry(text), score_anger(text)


def test_cue_offsets_point_into_the_typed_text():
    text = "你們這破快遞"
    cue = score_anger(text).cues[0]
    assert text[cue.start:cue.end] == cue.text == "破快遞"


def test_the_handoff_reason_uses_the_same_lexicon():
    assert reason_for(make_tracker(latest=user("你们太垃圾了 转人工", "request_human"))) == HandoffReason.ANGRY_CUSTOMER
    # An ordinary complaint is no anger: the NLU does not mark it, and neither does the handoff.
    assert reason_for(make_tracker(latest=user("我要投诉你们 转人工", "request_human"))) == HandoffReason.ASKED_FOR_HUMAN
