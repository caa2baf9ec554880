import pytest

from bot.vocabulary import geography
from bot.vocabulary.geography import (
    all_place_names,
    is_known_place,
    is_outside_mainland,
    normalize_place,
    place_spellings,
    province_of,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("深圳", "深圳"),
        ("深圳市", "深圳"),
        ("蘇州市", "苏州"),
        ("廣東省", "广东"),
        ("广西壮族自治区", "广西"),
        ("新疆維吾爾自治區", "新疆"),
        ("延边朝鲜族自治州", "延边"),
        ("喀什地区", "喀什"),
        ("兴安盟", "兴安"),
        ("香港特別行政區", "香港"),
        ("臺北", "台北"),
        (" 拉 萨 ", "拉萨"),
        ("沪", "上海"),
    ],
)
def test_normalize_place(raw, expected):
    assert normalize_place(raw) == expected


@pytest.mark.parametrize("raw", ["", "火星", "北京市朝阳区", "快递", "市"])
def test_unknown_places_are_none(raw):
    assert normalize_place(raw) is None
    assert not is_known_place(raw)


@pytest.mark.parametrize(
    ("place", "province"),
    [
        ("苏州", "江苏"), ("义乌", "浙江"), ("东莞", "广东"), ("喀什", "新疆"), ("日喀则", "西藏"),
        ("西宁", "青海"), ("拉萨", "西藏"), ("广东", "广东"), ("上海市", "上海"), ("高雄", "台湾"),
        ("澳門", "澳门"), ("吉林市", "吉林"), ("呼和浩特", "内蒙古"),
    ],
)
def test_province_of(place, province):
    assert province_of(place) == province


def test_province_of_unknown_is_none():
    assert province_of("亚特兰蒂斯") is None


def test_every_mainland_province_and_capital_is_known():
    provinces = {"北京", "天津", "上海", "重庆", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "江苏",
                 "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南",
                 "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆"}
    capitals = {"石家庄", "太原", "呼和浩特", "沈阳", "长春", "哈尔滨", "南京", "杭州", "合肥", "福州", "南昌",
                "济南", "郑州", "武汉", "长沙", "广州", "南宁", "海口", "成都", "贵阳", "昆明", "拉萨",
                "西安", "兰州", "西宁", "银川", "乌鲁木齐"}
    for name in provinces:
        assert geography.is_province(name) and province_of(name) == name
    for name in capitals:
        assert is_known_place(name) and not geography.is_province(name)
    assert len(all_place_names()) >= 300


def test_hong_kong_macau_taiwan_are_known_but_outside_mainland():
    for name in ("香港", "澳门", "台湾", "台北", "臺灣"):
        assert is_known_place(name)
        assert is_outside_mainland(name)
    assert not is_outside_mainland("深圳")


def test_canonical_names_are_simplified_short_forms():
    from bot.vocabulary.script import to_simplified

    for name in all_place_names():
        assert name == to_simplified(name)
        assert not name.endswith(("省", "市", "自治区"))
        assert normalize_place(name) == name


def test_free_text_spellings_leave_out_single_characters():
    spellings = place_spellings()
    assert spellings["广西壮族自治区"] == "广西"
    assert "沪" not in spellings and "京城" in spellings


def test_ambiguous_words_are_flagged():
    assert geography.is_ambiguous("来宾")
    assert not geography.is_ambiguous("深圳")
