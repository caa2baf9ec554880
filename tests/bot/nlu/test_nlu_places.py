"""City mentions from the gazetteer and their origin/destination roles."""

import pytest

from bot.nlu.places import find_cities


def cities(text: str) -> list[tuple[str, str | None]]:
    return [(m.value, m.role) for m in find_cities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("从深圳寄到北京多少钱", [("深圳", "origin"), ("北京", "destination")]),
        ("深圳到北京", [("深圳", "origin"), ("北京", "destination")]),
        ("寄3kg到深圳", [("深圳", "destination")]),
        ("寄深圳要几天", [("深圳", "destination")]),
        ("上海发往乌鲁木齐", [("上海", "origin"), ("乌鲁木齐", "destination")]),
        ("杭州→成都", [("杭州", "origin"), ("成都", "destination")]),
        ("长沙-深圳 30Kg", [("长沙", "origin"), ("深圳", "destination")]),
        ("由武汉寄去重庆", [("武汉", "origin"), ("重庆", "destination")]),
        ("苏州 杭州 多少钱", [("苏州", "origin"), ("杭州", "destination")]),
        ("我在温州 要寄东西到贵阳", [("温州", "origin"), ("贵阳", "destination")]),
        ("寄个东西给朋友 在银川", [("银川", "destination")]),
        ("收件人在青岛", [("青岛", "destination")]),
    ],
)
def test_roles_from_cues(text, expected):
    assert cities(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这个件怎么还在西宁", [("西宁", None)]),
        ("物流一直显示在青岛中转", [("青岛", None)]),
        ("新疆西藏要加钱吗", [("新疆", None), ("西藏", None)]),
        ("江苏、浙江包邮吗", [("江苏", None), ("浙江", None)]),
        ("你们乌鲁木齐的网点太差了", [("乌鲁木齐", None)]),
    ],
)
def test_no_role_without_a_journey(text, expected):
    assert cities(text) == expected


def test_values_are_canonical_short_names():
    assert cities("从佛山市到呼和浩特市") == [("佛山", "origin"), ("呼和浩特", "destination")]
    assert cities("寄到广西壮族自治区") == [("广西", "destination")]


def test_province_before_its_city_is_one_address():
    assert cities("从广东深圳寄到江苏苏州") == [("深圳", "origin"), ("苏州", "destination")]
    assert cities("广西壮族自治区南宁市") == [("南宁", None)]


def test_ambiguous_names_need_place_context():
    assert cities("吃了个三明治") == []
    assert cities("来宾多少") == []
    assert cities("寄到来宾市") == [("来宾", "destination")]


def test_outside_mainland_places_are_found():
    assert cities("可以寄香港吗") == [("香港", "destination")]
    assert cities("台北寄到上海") == [("台北", "origin"), ("上海", "destination")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("寄件城市郑州", [("郑州", "origin")]),
        ("收件城市是佛山", [("佛山", "destination")]),
        ("西藏能送吗", [("西藏", "destination")]),
        ("ship to 佛山 多少钱", [("佛山", "destination")]),
        ("寄东西回老家昆明", [("昆明", "destination")]),
        ("深圳能寄到北京吗", [("深圳", "origin"), ("北京", "destination")]),
    ],
)
def test_form_fields_and_reachability_questions(text, expected):
    assert cities(text) == expected
