"""Quotes: zones, itemised fees, volumetric weight, insurance, remote surcharge, special cargo → 8 h request."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from tests.support import ROOT

from .helpers import assert_error

TARIFF = yaml.safe_load((ROOT / "bot/backend/tariff.yml").read_text("utf-8"))


def _quote(backend, **body):
    response = backend.post("/quotes", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _items(body):
    return {item["code"]: item["amount_fen"] for item in body["items"]}


@pytest.mark.parametrize("origin, destination, zone", [
    ("上海", "上海市", "same_city"), ("苏州", "南京", "same_province"), ("上海", "杭州", "neighbouring"),
    ("上海", "北京", "national"), ("广州", "乌鲁木齐", "remote"), ("拉萨", "成都", "remote"),
    ("廣州", "深圳", "same_province"),
])
def test_zones(backend, origin, destination, zone):
    assert _quote(backend, origin=origin, destination=destination, weight_kg=1)["zone"] == zone


def test_itemised_national_quote(backend):
    body = _quote(backend, origin="上海", destination="北京", weight_kg="3.2", service_level="standard")
    rates = TARIFF["zones"]["national"]["standard"]
    items = _items(body)
    assert items["first_weight"] == rates["first_fen"]
    assert items["additional_weight"] == 3 * rates["additional_fen_per_kg"]  # 2.2 kg above the first → 3 started kg
    assert "insurance" not in items and "remote_surcharge" not in items
    assert body["total_fen"] == sum(items.values())
    assert all(isinstance(value, int) for value in items.values())
    assert body["delivery_days"] == {"min": rates["days"][0], "max": rates["days"][1]}
    assert body["delivery_text"]
    assert all(item["label"] for item in body["items"])


def test_volumetric_weight_counts_when_larger(backend):
    body = _quote(backend, origin="上海", destination="北京", weight_kg=2, length_cm=50, width_cm=40, height_cm=30)
    assert body["volumetric_weight_kg"] == pytest.approx(10.0)  # 50×40×30 / 6000
    assert body["chargeable_weight_kg"] == pytest.approx(10.0)
    assert _items(body)["additional_weight"] == 9 * TARIFF["zones"]["national"]["standard"]["additional_fen_per_kg"]


def test_actual_weight_counts_when_larger(backend):
    body = _quote(backend, origin="上海", destination="北京", weight_kg=8, length_cm=20, width_cm=20, height_cm=15)
    assert body["volumetric_weight_kg"] == pytest.approx(1.0)
    assert body["chargeable_weight_kg"] == pytest.approx(8.0)


def test_express_costs_more_and_is_faster(backend):
    standard = _quote(backend, origin="上海", destination="北京", weight_kg=2)
    express = _quote(backend, origin="上海", destination="北京", weight_kg=2, service_level="express")
    assert express["total_fen"] > standard["total_fen"]
    assert express["delivery_days"]["max"] <= standard["delivery_days"]["max"]


def test_insurance_fee_rate_and_minimum(backend):
    rules = TARIFF["insurance"]
    high = _items(_quote(backend, origin="上海", destination="北京", weight_kg=1, declared_value_fen=300000))
    assert high["insurance"] == max(rules["minimum_fen"], math.ceil(300000 * rules["rate_per_mille"] / 1000))
    low = _items(_quote(backend, origin="上海", destination="北京", weight_kg=1, declared_value_fen=1000))
    assert low["insurance"] == rules["minimum_fen"]


def test_remote_surcharge(backend):
    items = _items(_quote(backend, origin="北京", destination="拉萨", weight_kg=1))
    assert items["remote_surcharge"] == TARIFF["remote_surcharge_fen"]


def _assert_quote_request(body, word):
    assert body["quotable"] is False
    assert word in body["reason"]
    request = body["quote_request"]
    assert request["number"].startswith("QR")
    due = datetime.fromisoformat(request["due_at"])
    expected = datetime.now(timezone.utc) + timedelta(hours=8)
    assert abs((due - expected).total_seconds()) < 120
    assert due.utcoffset() == timedelta(hours=8)


def test_heavy_cargo_becomes_quote_request_due_in_8_hours(backend):
    _assert_quote_request(_quote(backend, origin="上海", destination="北京", weight_kg="50.5"), "50")


def test_oversize_and_msds_cargo(backend):
    _assert_quote_request(_quote(backend, origin="上海", destination="北京", weight_kg=5, length_cm=130,
                                 width_cm=20, height_cm=20), "尺寸")
    _assert_quote_request(_quote(backend, origin="上海", destination="北京", weight_kg=5, length_cm=110,
                                 width_cm=100, height_cm=100), "尺寸")
    _assert_quote_request(_quote(backend, origin="上海", destination="北京", weight_kg=1, needs_msds=True), "MSDS")


def test_exactly_50_kg_is_still_quoted(backend):
    assert _quote(backend, origin="上海", destination="北京", weight_kg=50)["quotable"] is True


def test_unknown_and_uncovered_places(backend):
    detail = assert_error(backend.post("/quotes", json={"origin": "火星", "destination": "北京", "weight_kg": 1}),
                          422, "unknown_city")
    assert "火星" in detail["message"]
    assert_error(backend.post("/quotes", json={"origin": "上海", "destination": "香港", "weight_kg": 1}),
                 422, "not_covered")
