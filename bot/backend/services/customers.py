"""Customer lookup by phone: VIP flag and the dedicated account manager of key customers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.backend.errors import ApiError
from bot.backend.models import Customer
from bot.backend.privacy import mask_phone
from bot.backend.schemas import normalize_phone


def by_phone(session: Session, raw_phone: str) -> dict[str, Any]:
    try:
        phone = normalize_phone(raw_phone[:32])
    except ValueError as exc:
        raise ApiError(422, "invalid_phone", "手机号格式不正确，请核对后再试。") from exc
    customer = session.execute(select(Customer).where(Customer.phone == phone)).scalar_one_or_none()
    if customer is None:
        raise ApiError(404, "customer_not_found", "没有找到与这个手机号对应的客户资料。")
    manager = None
    if customer.is_vip and customer.account_manager_name:
        # The manager's number is a company line the key customer is meant to call, so it is shown in full.
        manager = {"name": customer.account_manager_name, "phone": customer.account_manager_phone}
    return {"name": customer.name, "phone": mask_phone(customer.phone), "is_vip": customer.is_vip,
            "account_manager": manager}
