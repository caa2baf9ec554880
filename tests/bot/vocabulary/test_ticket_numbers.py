"""Complaint (CP) and claim (CL) ticket numbers: one format for the backend, the actions and the NLU's rules."""

import pytest

from actions.ticket_text import CLAIM_NO_RE, COMPLAINT_NO_RE
from bot.nlu.entity_rules import extract_rule_entities
from bot.vocabulary import ticket_numbers
from bot.vocabulary.ticket_numbers import check_digit, checks_out, in_text, new_number, parse


def test_the_luhn_check_digit() -> None:
    assert check_digit("7992739871") == "3"  # the reference example


def test_a_new_number_is_random_twelve_digits_with_a_check_digit() -> None:
    drawn = {new_number("CP") for _ in range(500)}
    assert len(drawn) == 500
    for number in drawn:
        assert number.startswith("CP") and len(number) == 14 and number[2] in "3456789"
        assert parse("CP", number) == number and parse("CL", number) is None


def test_a_mistyped_digit_is_caught() -> None:
    number = "CL" + "58392017446" + check_digit("58392017446")
    assert parse("CL", number) == number
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert parse("CL", wrong) is None and not checks_out(wrong[2:])


@pytest.mark.parametrize(("raw", "expected"), [
    ("CP20261123001", "CP20261123001"),  # the old dated form carries no check digit
    ("  cp20261123001 ", "CP20261123001"),
    ("CP2026112300", None),  # too short
    ("CP12345678901", None),  # no form starts with 0 or 1
    ("CL20261123001", None),  # another kind
    ("", None),
])
def test_parse(raw: str, expected: str | None) -> None:
    assert parse("CP", raw) == expected


def test_numbers_in_free_text() -> None:
    assert in_text("CP").search("投诉单cp20261123001进度").group(1) == "cp20261123001"
    assert in_text("CP").search("ABCP20261123001") is None  # glued to letters before
    assert in_text("CP").search("CP202611230011234") is None  # glued to more digits


@pytest.mark.parametrize(("text", "entity", "number"), [
    ("投诉单CP583920174468处理到哪了", "complaint_id", "CP583920174468"),
    ("理赔单号 cl731055281901", "claim_id", "CL731055281901"),
    ("CP20261123001", "complaint_id", "CP20261123001"),
])
def test_the_nlu_rules_and_the_actions_read_the_same_numbers(text: str, entity: str, number: str) -> None:
    entities = [(e.entity, e.value) for e in extract_rule_entities(text) if e.entity != "tracking_number"]
    assert entities == [(entity, number)]
    pattern = COMPLAINT_NO_RE if entity == "complaint_id" else CLAIM_NO_RE
    assert pattern.search(text).group(0).upper() == number


def test_the_nlu_hears_a_mistyped_number_that_the_flows_then_refuse() -> None:
    text = "投诉单CP123456789012"
    assert [e.value for e in extract_rule_entities(text) if e.entity == "complaint_id"] == ["CP123456789012"]
    assert COMPLAINT_NO_RE.search(text) is None
    assert ticket_numbers.PREFIXES == (ticket_numbers.COMPLAINT, ticket_numbers.CLAIM) == ("CP", "CL")
