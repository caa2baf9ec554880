"""The one list of handoff reasons: every reason has its Chinese text and a team, and the console accepts exactly
these."""

import pytest
from pydantic import ValidationError

from bot.console.routing import REASON_TEAMS, team_for
from bot.console.schemas import HandoffIn
from bot.vocabulary.handoff_reasons import REASONS, TEXT, HandoffReason, text_of


def test_every_reason_has_a_text_and_a_team():
    constants = {value for name, value in vars(HandoffReason).items() if name.isupper()}
    assert constants == set(REASONS) == set(TEXT) == set(REASON_TEAMS)
    assert all(TEXT[reason] for reason in REASONS)


def test_texts_and_teams():
    assert text_of(HandoffReason.ANGRY_CUSTOMER) == "顾客情绪激动"
    assert text_of("something_old") == "something_old"
    assert team_for(HandoffReason.ANGRY_CUSTOMER, is_vip=False) == "complaints"
    assert team_for(HandoffReason.CLAIM_OVER_LIMIT, is_vip=False) == "claims"


def test_the_console_refuses_a_reason_not_in_the_list():
    fields = {"conversation_id": "c1"}
    assert HandoffIn(**fields, reason=HandoffReason.BACKEND_DOWN).reason == "backend_down"
    with pytest.raises(ValidationError, match="reason must be one of"):
        HandoffIn(**fields, reason="bored")
