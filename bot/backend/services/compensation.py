"""The compensation standard (DOMAIN.md): insured → declared value; uninsured → 3 × freight;
delay → the freight is waived (insurance fee excepted)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.backend.errors import ApiError
from bot.settings import get_settings


@dataclass(frozen=True)
class Cap:
    amount_fen: int
    rule: str
    text: str


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def compensation_cap(claim_type: str, insured: bool, declared_value_fen: int | None,
                     freight_fen: int | None) -> Cap:
    if claim_type == "delay":
        if freight_fen is None:
            raise ApiError(422, "freight_required", "延误理赔需要提供运费金额（单位：分）。", field="freight_fen")
        return Cap(freight_fen, "delay_freight_waived",
                   f"快件延误按标准免除运费，最高 {_yuan(freight_fen)} 元（保价费不退）。")
    if insured:
        if not declared_value_fen:
            raise ApiError(422, "declared_value_required", "保价快件理赔需要提供保价（声明）金额。",
                           field="declared_value_fen")
        return Cap(declared_value_fen, "insured_declared_value",
                   f"已保价快件按实际损失赔偿，最高不超过保价金额 {_yuan(declared_value_fen)} 元。")
    if freight_fen is None:
        raise ApiError(422, "freight_required", "未保价快件的赔偿以运费为基准，请提供运费金额（单位：分）。",
                       field="freight_fen")
    multiple = get_settings().uninsured_cap_freight_multiple
    cap = freight_fen * multiple
    return Cap(cap, "uninsured_freight_multiple",
               f"未保价快件按实际损失赔偿，最高不超过运费的 {multiple} 倍，即 {_yuan(cap)} 元。")
