"""`python -m bot.retention purge|erase …`: see bot/retention/cli.py."""

from bot.retention.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
