"""Personal data at rest: purge what is older than RETENTION_DAYS, erase one customer's data on request.

    python -m bot.retention purge [--days N] [--dry-run]
    python -m bot.retention erase --phone 138… | --conversation ID [--dry-run]

What is deleted and what is only anonymised (tickets and parcels are business records) is in
docs/data-retention.md; the rules themselves are in plan.py.
"""

from bot.retention.run import Report, erase, purge

__all__ = ["Report", "erase", "purge"]
