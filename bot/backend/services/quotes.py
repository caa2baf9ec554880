"""Itemised quotes from the tariff data; special cargo becomes a quote request answered within 8 hours."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from sqlalchemy.orm import Session

from bot.backend.clock import iso, utcnow
from bot.backend.errors import ApiError
from bot.backend.models import QuoteRequest
from bot.backend.services.numbering import daily_number
from bot.backend.services.places import Place, are_neighbours, resolve_place
from bot.backend.services.tariff import tariff
from bot.settings import get_settings

ITEM_LABELS = {
    "first_weight": "首重",
    "additional_weight": "续重",
    "insurance": "保价费",
    "remote_surcharge": "偏远地区附加费",
}
LEVEL_TEXT = {"standard": "标准快递", "express": "特快专递"}


@dataclass(frozen=True)
class Parcel:
    weight_kg: Decimal
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    needs_msds: bool = False

    @property
    def sides(self) -> list[Decimal] | None:
        if self.length_cm and self.width_cm and self.height_cm:
            return [self.length_cm, self.width_cm, self.height_cm]
        return None


def zone_for(origin: Place, destination: Place) -> str:
    remote = set(tariff()["remote_provinces"])
    if origin.name == destination.name:
        return "same_city"
    if origin.province == destination.province:
        return "same_province"
    if origin.province in remote or destination.province in remote:
        return "remote"
    if are_neighbours(origin.province, destination.province):
        return "neighbouring"
    return "national"


def volumetric_weight(parcel: Parcel) -> Decimal:
    sides = parcel.sides
    if not sides:
        return Decimal(0)
    volume = sides[0] * sides[1] * sides[2]
    return (volume / Decimal(tariff()["volumetric_divisor"])).quantize(Decimal("0.01"), rounding=ROUND_CEILING)


def check_sanity(parcel: Parcel) -> None:
    limits = tariff()["sanity"]
    if parcel.weight_kg > Decimal(limits["max_weight_kg"]):
        raise ApiError(422, "weight_out_of_range",
                       f"重量超出可受理范围（最大 {limits['max_weight_kg']} 公斤），请核对后再试。", field="weight_kg")
    for side in parcel.sides or []:
        if side > Decimal(limits["max_side_cm"]):
            raise ApiError(422, "size_out_of_range", "尺寸超出可受理范围，请核对长宽高（单位：厘米）。")


def special_cargo_reasons(parcel: Parcel) -> list[str]:
    limits = tariff()["special_cargo"]
    reasons = []
    if parcel.weight_kg > get_settings().special_cargo_kg:
        reasons.append(f"重量超过 {get_settings().special_cargo_kg} 公斤")
    sides = parcel.sides
    if sides and (max(sides) > limits["max_side_cm"] or sum(sides) > limits["max_sum_of_sides_cm"]):
        reasons.append(f"尺寸超出常规范围（单边超过 {limits['max_side_cm']} 厘米或三边之和超过 "
                       f"{limits['max_sum_of_sides_cm']} 厘米）")
    if parcel.needs_msds:
        reasons.append("物品需要提供化学品安全技术说明书（MSDS）")
    return reasons


def insurance_fee(declared_value_fen: int) -> int:
    rules = tariff()["insurance"]
    if declared_value_fen > rules["max_declared_value_fen"]:
        raise ApiError(422, "declared_value_too_high",
                       f"保价金额超过上限（{rules['max_declared_value_fen'] // 100} 元），请联系客服办理。",
                       field="declared_value_fen")
    fee = math.ceil(declared_value_fen * rules["rate_per_mille"] / 1000)
    return max(fee, rules["minimum_fen"])


def delivery_text(days: list[int]) -> str:
    low, high = days
    if high == 0:
        return "预计当日送达"
    if low == 0:
        return f"预计当日至{high}天内送达" if high > 1 else "预计当日或次日送达"
    if low == high == 1:
        return "预计次日送达"
    if low == high:
        return f"预计{low}天送达"
    return f"预计{low}-{high}天送达"


def price(origin: Place, destination: Place, parcel: Parcel, service_level: str,
          declared_value_fen: int | None) -> dict[str, Any]:
    data = tariff()
    zone = zone_for(origin, destination)
    rates = data["zones"][zone][service_level]
    volumetric = volumetric_weight(parcel)
    chargeable = max(parcel.weight_kg, volumetric)
    extra_kg = max(Decimal(0), chargeable - Decimal(data["first_weight_kg"]))
    step = Decimal(data["additional_weight_step_kg"])
    extra_steps = int((extra_kg / step).to_integral_value(rounding=ROUND_CEILING))
    items = [
        {"code": "first_weight", "amount_fen": int(rates["first_fen"])},
        {"code": "additional_weight", "amount_fen": extra_steps * int(rates["additional_fen_per_kg"]),
         "billed_kg": float(extra_steps * step)},
    ]
    if declared_value_fen:
        items.append({"code": "insurance", "amount_fen": insurance_fee(declared_value_fen)})
    remote = set(data["remote_provinces"])
    if origin.province in remote or destination.province in remote:
        items.append({"code": "remote_surcharge", "amount_fen": int(data["remote_surcharge_fen"])})
    for item in items:
        item["label"] = ITEM_LABELS[item["code"]]
    days = list(rates["days"])
    return {
        "quotable": True,
        "origin": origin.name,
        "destination": destination.name,
        "zone": zone,
        "zone_text": data["zones"][zone]["label"],
        "actual_weight_kg": float(parcel.weight_kg),
        "volumetric_weight_kg": float(volumetric),
        # The rule itself, so a price given without a size can say when the size would count.
        "volumetric_divisor": int(data["volumetric_divisor"]),
        "chargeable_weight_kg": float(chargeable),
        "service_level": service_level,
        "service_level_text": LEVEL_TEXT[service_level],
        "items": items,
        "total_fen": sum(item["amount_fen"] for item in items),
        "delivery_days": {"min": days[0], "max": days[1]},
        "delivery_text": delivery_text(days),
    }


def quote(session: Session, *, origin: str, destination: str, parcel: Parcel, service_level: str = "standard",
          declared_value_fen: int | None = None, item: str | None = None,
          contact_phone: str | None = None) -> dict[str, Any]:
    """Price a parcel, or open a quote request for special cargo (the caller commits)."""
    start = resolve_place(origin, "origin")
    end = resolve_place(destination, "destination")
    check_sanity(parcel)
    reasons = special_cargo_reasons(parcel)
    if not reasons:
        return price(start, end, parcel, service_level, declared_value_fen)
    now = utcnow()
    request = QuoteRequest(
        number=daily_number(session, "QR"), origin=start.name, destination=end.name,
        weight_g=int(parcel.weight_kg * 1000),
        length_cm=_int_or_none(parcel.length_cm), width_cm=_int_or_none(parcel.width_cm),
        height_cm=_int_or_none(parcel.height_cm), needs_msds=parcel.needs_msds, item=item,
        contact_phone=contact_phone, reason="；".join(reasons), status="open", created_at=now,
        due_at=now + timedelta(hours=get_settings().quote_reply_hours),
    )
    session.add(request)
    session.flush()
    hours = get_settings().quote_reply_hours
    return {
        "quotable": False,
        "origin": start.name,
        "destination": end.name,
        "reason": "；".join(reasons),
        "reasons": reasons,
        "message": f"您的物品属于特殊货物（{'；'.join(reasons)}），需要人工核价，我们会在 {hours} 小时内回复您报价。",
        "quote_request": {"number": request.number, "due_at": iso(request.due_at)},
    }


def _int_or_none(value: Decimal | None) -> int | None:
    return int(value.to_integral_value(rounding=ROUND_CEILING)) if value is not None else None
