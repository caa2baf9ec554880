"""Throughput of one instance in the embedded profile: the per-instance figure of docs/capacity.md.

    python -m bot.bench.throughput [--conversations 50] [--seconds 20]

One stack as `make run` starts it (backend, action server, one Rasa; SQLite tracker store, in-memory lock store)
on fresh files, and 50 conversations at the same time, each customer sending a message as soon as the last one was
answered, for a fixed window per workload — the same workloads as the cluster's benchmark (bot/bench/cluster.py,
which gives the production profile's figures behind HAProxy): tracking turns, and a realistic mix. Printed with the
latency's median and p95 and the machine's load, and written to results/bench_throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from bot.bench.cluster import WORKLOADS, Row, measure, percentile, table
from bot.settings import ROOT
from bot.stack import DEFAULT_MODEL, Ports, Stack

OUT = ROOT / "results" / "bench_throughput.json"
# The production stores' variables: unset here, so the stack runs the embedded profile whatever the shell has.
PRODUCTION = ("TRACKER_STORE_URL", "DATABASE_URL", "REDIS_URL", "RABBITMQ_URL", "OUTBOX_DATABASE_URL")


def bench(conversations: int, seconds: float, model: Path) -> list[Row]:
    """Each workload on `conversations` new conversations of one embedded stack, after a warm-up turn each."""
    for name in PRODUCTION:
        os.environ.pop(name, None)
    stack = Stack()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-throughput-") as var_dir:
        try:
            stack.start(ports=Ports.free(), model=model, var_dir=Path(var_dir))
            for name, texts in WORKLOADS.items():
                senders = [f"bench-{uuid.uuid4().hex[:12]}" for _ in range(conversations)]
                measure(stack.rasa_url, senders, (texts[0],), 3)  # every conversation opened, TensorFlow warm
                window = measure(stack.rasa_url, senders, texts, seconds)
                turns = len(window.latencies_ms)
                rows.append(Row(1, name, turns, round(turns / seconds, 1), percentile(window.latencies_ms, 0.5),
                                percentile(window.latencies_ms, 0.95), len(window.failed),
                                round(os.getloadavg()[0], 2)))
                print(f"  embedded, {name}: {rows[-1].turns_per_s} turns/s", flush=True)
                for problem in window.failed[:3]:
                    print(f"    failed: {problem}", flush=True)
        finally:
            stack.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.throughput", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50, help="conversations at the same time")
    parser.add_argument("--seconds", type=float, default=20, help="measuring window per workload")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    idle_load = round(os.getloadavg()[0], 2)
    started = time.monotonic()
    rows = bench(args.conversations, args.seconds, args.model)
    print(f"\nembedded profile, one Rasa instance, {args.conversations} conversations at the same time, "
          f"{args.seconds:.0f} s per workload, {os.cpu_count()} cores, load {idle_load} before the start; "
          f"{time.monotonic() - started:.0f} s in all\n{table(rows)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"profile": "embedded", "rows": [asdict(r) for r in rows],
                                    "conversations": args.conversations, "seconds": args.seconds,
                                    "load_before": idle_load}, indent=2), encoding="utf-8")
    return 1 if any(r.failed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
