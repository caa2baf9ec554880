"""`make bench`: every latency benchmark in one run, figures printed and saved under results/.

    python -m bot.bench [backend nlu_parse turns handoff]

Each benchmark is a module of this package with a `main(argv) -> int`; a non-zero exit means its target was
missed (or it could not run), and `make bench` reports that after running the rest.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = ("backend", "nlu_parse", "turns", "handoff")


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or list(BENCHMARKS)
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
