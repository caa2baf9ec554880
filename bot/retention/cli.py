"""The command line of data retention and erasure on request.

    python -m bot.retention purge [--days N] [--dry-run]
    python -m bot.retention erase (--phone NUMBER | --conversation ID) [--dry-run]

It works on the database and tracker store the environment names (DATABASE_URL, TRACKER_STORE_URL,
COURIER_VAR_DIR), like the backend. The summary it prints masks the phone and the conversation ids.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sqlalchemy.exc import OperationalError

from bot.backend.db import run_migrations
from bot.log_masking import install as install_log_masking
from bot.retention.run import erase, purge
from bot.settings import get_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.retention",
        description="Delete or anonymise customers' personal data: everything older than the retention period "
                    "(purge), or one customer's data on their request (erase). Details: docs/data-retention.md.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{purge,erase}")
    purge_parser = commands.add_parser(
        "purge", help="delete or anonymise data older than the retention period",
        description="Delete conversations, transcripts, callbacks, notices and evidence photos older than N days, "
                    "and anonymise closed tickets, delivered parcels, pickups and ratings of that age. Safe to run "
                    "again (what is done is not done twice).")
    purge_parser.add_argument("--days", type=_non_negative, default=None,
                              help=f"retention period in days (default RETENTION_DAYS, now "
                                   f"{get_settings().retention_days}; 0 keeps everything)")
    purge_parser.add_argument("--dry-run", action="store_true", help="only count what would change")
    erase_parser = commands.add_parser(
        "erase", help="erase one customer's data on request",
        description="Remove or anonymise every row and file tied to one customer: by phone number (their tickets, "
                    "pickups, parcels, handoffs, callbacks, account and the conversations those name) or by one "
                    "conversation id. Open tickets and parcels on their way are kept and listed.")
    target = erase_parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--phone", help="the customer's phone number, e.g. 13812345678")
    target.add_argument("--conversation", help="a conversation (sender) id, e.g. a web chat's session id")
    erase_parser.add_argument("--dry-run", action="store_true", help="only count what would change")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    install_log_masking()
    args = build_parser().parse_args(argv)
    try:
        # The backend migrates at start; a purge run from cron before its first start finds the same tables.
        run_migrations()
        return _run(args)
    except OperationalError as error:
        print(f"The database could not be reached or read ({type(error.orig).__name__}); nothing was changed "
              "by this step. Check DATABASE_URL / TRACKER_STORE_URL and run again.", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "purge":
        report = purge(days=args.days, dry_run=args.dry_run)
    else:
        if args.phone is not None and not args.phone.strip():
            print("--phone needs a phone number", file=sys.stderr)
            return 2
        report = erase(phone=args.phone, conversation=args.conversation, dry_run=args.dry_run)
    print("\n".join(report.lines()))
    return 0


def _non_negative(value: str) -> int:
    days = int(value)
    if days < 0:
        raise argparse.ArgumentTypeError("days must be 0 or more")
    return days
