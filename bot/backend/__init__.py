"""The courier's backend service: tracking, quotes, pickups, complaints, claims, customers, reports."""
