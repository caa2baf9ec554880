"""What complaints and claims share in the backend (services/tickets.py, api/tickets.py): one look-up route set
added to both routers under their former names, and the helpers both services use."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.backend.api import claims as claim_routes
from bot.backend.api import complaints as complaint_routes
from bot.backend.errors import ApiError
from bot.backend.services import claims, complaints, tickets


def _routes(router) -> list[tuple[str, str, str]]:
    return [(route.path, ",".join(sorted(route.methods)), route.name) for route in router.routes]


def test_both_kinds_serve_the_shared_look_ups_under_their_own_names_in_order() -> None:
    for router, noun, plural in ((claim_routes.router, "claim", "claims"),
                                 (complaint_routes.router, "complaint", "complaints")):
        routes = _routes(router)
        base = f"/{plural}"
        assert routes[:5] == [
            (base, "POST", f"create_{noun}"),
            (base, "GET", f"{plural}_by_phone"),
            (f"{base}/count", "GET", f"{noun}_count_by_phone"),  # before /{number}, which would take it
            (f"{base}/{{number}}", "GET", f"get_{noun}"),
            (f"{base}/{{number}}/verify", "POST", f"verify_{noun}"),
        ]


def test_a_missing_ticket_is_the_kinds_own_404() -> None:
    row = SimpleNamespace(number="CP583920174468")
    assert tickets.existing(row, complaints.not_found) is row
    with pytest.raises(ApiError) as missing:
        tickets.existing(None, claims.not_found)
    assert missing.value.status == 404 and missing.value.code == "claim_not_found"


def test_a_look_up_phone_is_normalised_or_refused() -> None:
    assert tickets.contact_phone("138-1234-5678") == "13812345678"
    with pytest.raises(ApiError) as refused:
        tickets.contact_phone("12345")
    assert refused.value.status == 422 and refused.value.code == "invalid_phone"


def test_a_summary_says_the_kind_and_stage_only() -> None:
    row = SimpleNamespace(number="CL731055281901", stage="under_review")
    assert tickets.summary(row, "claim", claims.STAGE_TEXT) == {
        "number": "CL731055281901", "kind": "claim", "stage": "under_review", "stage_text": "审核中",
        "details": False, "proof": "contact_phone_last4"}
