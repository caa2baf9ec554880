"""`python -m bot.console.create_agent --username li --team complaints [--name 李娜] [--role supervisor]`: an
agent account; a supervisor also opens the review page (docs/review-loop.md).

The password is asked for twice (or read from --password-stdin for scripts); the database is migrated first.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.backend.public import new_session, run_migrations
from bot.console.agents import AgentError, create_agent
from bot.console.auth import ROLES, SUPERVISOR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console.create_agent",
                                     description="Create an agent account for the console.")
    parser.add_argument("--username", required=True)
    parser.add_argument("--team", required=True, help="general, complaints, claims or vip")
    parser.add_argument("--name", help="name shown to colleagues and customers")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    parser.add_argument("--role", choices=ROLES, default="agent",
                        help="supervisor: may also review and export what the assistant misread")
    parser.add_argument("--reset", action="store_true",
                        help="set a new password (and the given team and role) if the account exists")
    args = parser.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Again: "):
            print("The passwords differ.", file=sys.stderr)
            return 1
    run_migrations()
    with new_session() as session:
        try:
            agent = create_agent(session, args.username, password, args.team, args.name, args.reset, args.role)
        except AgentError as error:
            print(error, file=sys.stderr)
            return 1
    print(f"{'Supervisor' if agent.role == SUPERVISOR else 'Agent'} {agent.username} ({agent.team_code}) is ready: "
          "log in at /console/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
