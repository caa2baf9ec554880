"""Rule extraction of formatted entities and their normalised values."""

import pytest

from bot.nlu.entity_rules import extract_rule_entities
from bot.vocabulary.numerals import format_number, parse_number


def found(text: str) -> list[tuple[str, str, str]]:
    return [(e.entity, e.value, text[e.start:e.end]) for e in extract_rule_entities(text)]


def values(text: str, entity: str) -> list[str]:
    return [value for name, value, _ in found(text) if name == entity]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("两千", 2000), ("三千五", 3500), ("一万二", 12000), ("一点五", 1.5), ("二十五", 25), ("一千零五", 1005),
     ("五百", 500), ("半", 0.5), ("2.5", 2.5), ("1,000", 1000), ("３", 3)],
)
def test_parse_number(raw, expected):
    assert parse_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "点", "几", "abc"])
def test_parse_number_rejects_non_numbers(raw):
    assert parse_number(raw) is None


def test_format_number_is_shortest_decimal():
    assert [format_number(v) for v in (3.0, 2.5, 0.25, 0.5000001)] == ["3", "2.5", "0.25", "0.5"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("查件SF1234567890123", "SF1234567890123"),
        ("帮我查下 zt123456789012 谢谢", "ZT123456789012"),
        ("JDV0123456789到哪了", "JDV0123456789"),
        ("jd0012345678901", "JD0012345678901"),
        ("YT1234567890123", "YT1234567890123"),
        ("单号 SF 1234 5678 9012", "SF123456789012"),
        ("1234567890123这个单号", "1234567890123"),
        ("單號ZT123456789012到哪了", "ZT123456789012"),
        ("7734 5521 8890 12 到哪了", "77345521889012"),
        ("单号7734-5521-8890", "773455218890"),
    ],
)
def test_tracking_numbers(text, value):
    assert values(text, "tracking_number") == [value]


def test_eleven_digits_are_a_phone_not_a_tracking_number():
    assert found("电话13812345678") == [("phone", "13812345678", "13812345678")]
    assert values("联系189 0905 6979", "phone") == ["18909056979"]
    assert values("手机+86 138-1234-5678", "phone") == ["13812345678"]
    assert values("电话 1391 2084 476", "tracking_number") == []


@pytest.mark.parametrize(
    ("text", "kg"),
    [
        ("寄3kg到深圳", "3"), ("5斤", "2.5"), ("半斤茶叶", "0.25"), ("一斤半", "0.75"), ("两公斤", "2"),
        ("500g", "0.5"), ("1500克", "1.5"), ("2.5公斤的箱子", "2.5"), ("30千克", "30"), ("0.3Kg", "0.3"),
        ("三公斤", "3"), ("十斤", "5"), ("重量2KG", "2"),
    ],
)
def test_weights_in_kg(text, kg):
    assert values(text, "weight") == [kg]


@pytest.mark.parametrize(
    "text",
    ["30x20x10", "30*20*10", "30×20×10cm", "30X20X10厘米", "长30宽20高10", "长30cm宽20cm高10cm",
     "长30，宽20，高10", "长宽高分别是30、20、10", "箱子30 x 20 x 10 cm"],
)
def test_dimensions(text):
    assert values(text, "dimensions") == ["30x20x10"]


def test_decimal_dimensions_keep_decimals():
    assert values("尺寸25.5*20*8", "dimensions") == ["25.5x20x8"]


def test_complaint_and_claim_ids():
    assert values("投诉cp20261123001进度", "complaint_id") == ["CP20261123001"]
    assert values("理赔单CL20261120007怎么样了", "claim_id") == ["CL20261120007"]
    assert values("CP20261123001", "tracking_number") == []


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("保价两千块", "2000"), ("赔了350元", "350"), ("¥1500", "1500"), ("￥99.5", "99.5"), ("手机值5000", "5000"),
        ("一万二块钱", "12000"), ("3万元", "30000"), ("损失大概2000", "2000"), ("运费20块吧", "20"),
    ],
)
def test_amounts_in_yuan(text, amount):
    assert values(text, "amount") == [amount]


def test_measure_word_kuai_is_not_money():
    assert values("寄两块玻璃", "amount") == []


def test_mixed_message_keeps_every_entity_once():
    text = "SF1234567890123 5斤 30x20x10 保价2000元 电话13812345678"
    assert [name for name, _, _ in found(text)] == ["tracking_number", "weight", "dimensions", "amount", "phone"]


def test_weight_number_is_not_an_amount():
    assert found("价值3公斤") == [("weight", "3", "3公斤")]
