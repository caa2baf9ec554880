"""All /api/v1 routes behind the API key."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from bot.backend.api import (
    claims,
    complaints,
    conversations,
    customers,
    parcels,
    pickups,
    quotes,
    ratings,
    reports,
)
from bot.backend.api.deps import require_api_key

api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(require_api_key)])
for module in (parcels, quotes, pickups, complaints, claims, customers, ratings, conversations, reports):
    api_router.include_router(module.router)
api_router.include_router(parcels.notices_router)
api_router.include_router(parcels.follow_ups_router)
