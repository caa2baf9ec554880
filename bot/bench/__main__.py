"""`make bench`: every latency benchmark (and the turns to a confirmed form) in one run, figures printed and saved
under results/.

    python -m bot.bench [versus_stock backend nlu_parse turns handoff throughput cluster form_turns]

Each benchmark is a module of this package with a `main(argv) -> int`; a non-zero exit means its target was
missed (or it could not run), and `make bench` reports that after running the rest.
"""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = ("versus_stock", "backend", "nlu_parse", "turns", "handoff", "throughput", "cluster", "form_turns")


def chosen(argv: list[str] | None) -> list[str]:
    """The benchmarks named on the command line (all when none is); --help prints the usage and exits."""
    parser = argparse.ArgumentParser(prog="python -m bot.bench", description=__doc__.splitlines()[0])
    # No `choices=` here: argparse (3.10) refuses an empty `*` list against choices; checked below instead.
    parser.add_argument("names", nargs="*", metavar="benchmark",
                        help=f"any of {', '.join(BENCHMARKS)} (default: all)")
    names = parser.parse_args(argv).names
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)} (choose from {', '.join(BENCHMARKS)})")
    return names or list(BENCHMARKS)


def main(argv: list[str] | None = None) -> int:
    names = chosen(argv)
    failed = []
    for name in names:
        print(f"\n== bench: {name} ==", flush=True)
        module = importlib.import_module(f"bot.bench.{name}")
        if module.main([]) != 0:
            failed.append(name)
    if failed:
        print(f"\nmissed target or failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
