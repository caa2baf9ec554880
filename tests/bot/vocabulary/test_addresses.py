"""Addresses found in a message and split into province / city / district / street."""

from __future__ import annotations

from bot.vocabulary.addresses import find_address, split_address


def test_the_address_in_a_message_that_says_everything() -> None:
    found = find_address("后天上午10点来取件，寄两箱茶叶去成都，地址广州市天河区体育西路1号，电话13900001111，我姓李")
    assert found is not None and found.text == "广州市天河区体育西路1号"
    assert (found.province, found.city, found.district, found.street) == ("广东省", "广州", "天河区", "体育西路1号")


def test_cues_and_bare_addresses_in_both_scripts() -> None:
    assert find_address("我住在上海浦东新区张江路1号").city == "上海"
    assert find_address("地址改成杭州市滨江区江南大道1号").text == "杭州市滨江区江南大道1号"
    assert find_address("地址：深圳南山区科技园 电话13812345678").text == "深圳南山区科技园"
    traditional = find_address("廣州市天河區體育西路10號")
    assert traditional.text == "廣州市天河區體育西路10號" and traditional.district == "天河区"


def test_a_city_named_in_passing_is_no_address() -> None:
    assert find_address("寄到北京") is None
    assert find_address("从上海寄3公斤到乌鲁木齐多少钱") is None
    assert find_address("13900001111") is None


def test_the_city_counts_only_when_written() -> None:
    assert split_address("朝阳区建国路88号").city is None  # 朝阳区 is in Beijing and in Changchun
    assert split_address("北京市朝阳区建国路88号").city == "北京"
