"""Throughput of the cluster (`make cluster`) with 1, 2 and 3 Rasa instances, side by side in one run.

    python -m bot.bench.cluster [--instances 1 2 3] [--conversations 50] [--seconds 20]

One cluster starts on the production stores (bot/cluster/child.py: this machine's PostgreSQL, Redis and RabbitMQ,
with databases and a queue of its own) with as many Rasa instances as the largest count asked, 2 action servers
and 2 web processes behind HAProxy, as `make cluster` runs it. Through the public entry, 50 conversations run at the
same time, each customer sending a message as soon as the last one was answered, for a fixed window per workload:

- tracking: "查件 ZT…" every turn (NLU, policies, the action server and a backend call);
- mix: greeting, tracking, FAQ, quote, thanks (the conversation of bot/bench/tracker_store.py), over and over.

"N instances" means the 50 conversations are ones the balancer's hash puts on the first N instances (found by
their first message, a greeting, which also warms every instance up); the others stand idle, answering only
HAProxy's health check (one probe turn every 3 s). One start instead of three: a Rasa start takes 1.5 to 8
minutes on this shared machine, most of the benchmark otherwise.

A turn counts when it is answered inside the window; turns/s is those turns over the window. Printed side by side,
with the latency's median and p95, the machine's load average (other work on the cores shows there) and the
tracker store's rows and bytes per conversation, and written to results/bench_cluster.json. Skipped (exit 0, saying
why) when a store or HAProxy is missing. Figures and the capacity they imply: docs/capacity.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from bot.bench.tracker_store import MESSAGES as MIX
from bot.bench.turns import TURNS
from bot.cluster.__main__ import find_haproxy
from bot.cluster.child import ChildCluster, running_cluster
from bot.cluster.environment import THIS_MACHINE, StoreUnreachable, check_stores
from bot.settings import ROOT, get_settings
from bot.stack import DEFAULT_MODEL, StackError

WORKLOADS = {"tracking": (TURNS["tracking"],) * 5, "mix": MIX}
OUT = ROOT / "results" / "bench_cluster.json"


@dataclass
class Row:
    rasa: int
    workload: str
    turns: int
    turns_per_s: float
    p50_ms: float
    p95_ms: float
    failed: int
    load_1min: float


@dataclass
class Window:
    """The turns answered inside one measuring window, and those that failed."""

    ends: float
    latencies_ms: list[float]
    failed: list[str]
    lock: threading.Lock


def send(session: requests.Session, url: str, sender: str, text: str) -> tuple[str, str]:
    """(the instance that answered, "") or ("", what went wrong) for one message to Rasa's REST channel at `url`
    (the balancer's public entry, or one Rasa instance)."""
    try:
        reply = session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                             timeout=180)
    except requests.RequestException as error:
        return "", repr(error)
    if not reply.ok or not reply.json():
        return "", f"HTTP {reply.status_code}: {reply.text[:120]}"
    return reply.headers.get("X-Courier-Instance", "?"), ""


def converse(url: str, sender: str, texts: tuple[str, ...], window: Window) -> None:
    """One customer: the workload's messages in order, over and over, each as soon as the last was answered."""
    session = requests.Session()
    for text in itertools.cycle(texts):
        if time.monotonic() >= window.ends:
            return
        started = time.monotonic()
        _, problem = send(session, url, sender, text)
        answered = time.monotonic()
        with window.lock:
            if problem:
                window.failed.append(problem)
            elif answered <= window.ends:
                window.latencies_ms.append((answered - started) * 1000)


def measure(url: str, senders: list[str], texts: tuple[str, ...], seconds: float) -> Window:
    """The workload's conversations at the same time, each as fast as it is answered, for `seconds`."""
    window = Window(time.monotonic() + seconds, [], [], threading.Lock())
    with ThreadPoolExecutor(max_workers=len(senders)) as pool:
        list(pool.map(lambda sender: converse(url, sender, texts, window), senders))
    return window


def place_conversations(cluster: ChildCluster, wanted: dict[str, int], workers: int) -> dict[str, list[str]]:
    """New conversations, by the instance the balancer's hash puts them on, until each instance has its number.

    Each is found by its first message, a greeting (every instance's first turns, slow while TensorFlow traces its
    graphs, are spent here, out of the figures).
    """
    placed: dict[str, list[str]] = {instance: [] for instance in wanted}
    lock = threading.Lock()

    def short() -> bool:
        return any(len(placed[instance]) < count for instance, count in wanted.items())

    def find() -> None:
        session = requests.Session()
        while short():
            sender = f"bench-{uuid.uuid4().hex[:12]}"
            instance, problem = send(session, cluster.public, sender, MIX[0])
            if problem:
                raise RuntimeError(f"a greeting went unanswered: {problem}")
            with lock:
                placed.setdefault(instance, []).append(sender)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda _: find(), range(workers)))
    return placed


def spread(placed: dict[str, list[str]], instances: list[str], count: int) -> list[str]:
    """`count` conversations taken from the given instances' in turn (so spread evenly over them)."""
    taken = []
    for instance in itertools.islice(itertools.cycle(instances), count):
        taken.append(placed[instance].pop())
    return taken


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0


def tracker_sizes(cluster: ChildCluster) -> dict[str, float]:
    """Rows and bytes per bench conversation and per customer message in the tracker store (the health probes'
    conversations left out; the table's bytes per row, indexes included, are over all rows)."""
    import psycopg2

    connection = psycopg2.connect(cluster.tracker_database_url)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT count(DISTINCT sender_id), count(*), coalesce(sum(octet_length(data)), 0), "
                       "count(*) FILTER (WHERE type_name = 'user') FROM events WHERE sender_id LIKE 'bench-%'")
        conversations, rows, data_bytes, user_turns = cursor.fetchone()
        cursor.execute("SELECT count(*), pg_total_relation_size('events') FROM events")
        all_rows, table_bytes = cursor.fetchone()
    finally:
        connection.close()
    per_row = table_bytes / all_rows if all_rows else 0.0
    return {"conversations": conversations, "user_turns": user_turns,
            "user_turns_per_conversation": round(user_turns / conversations, 1) if conversations else 0.0,
            "rows_per_conversation": round(rows / conversations, 1) if conversations else 0.0,
            "rows_per_user_turn": round(rows / user_turns, 1) if user_turns else 0.0,
            "event_json_bytes_per_row": round(data_bytes / rows) if rows else 0,
            "table_bytes_per_row_with_indexes": round(per_row),
            "table_bytes_per_conversation": round(per_row * rows / conversations) if conversations else 0}


def bench(counts: list[int], conversations: int, seconds: float, model: Path) -> tuple[list[Row], dict[str, Any]]:
    """One cluster of max(counts) Rasa instances; each workload on the conversations of 1, 2 … of them."""
    largest = max(counts)
    names = [f"rasa-{n}" for n in range(1, largest + 1)]
    # Conversations needed on each instance: every count it is part of, a fresh set per workload.
    wanted = {name: sum(-(-conversations // n) for n in counts if n >= index)
              * len(WORKLOADS) for index, name in enumerate(names, 1)}
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as var_dir, \
            running_cluster(largest, 2, 2, Path(var_dir), model) as cluster:
        print(f"{largest} Rasa instances ready in {cluster.ready_s:.0f} s; placing conversations {wanted} …",
              flush=True)
        placed = place_conversations(cluster, wanted, conversations)
        rows = []
        for count in counts:
            for name, texts in WORKLOADS.items():
                window = measure(cluster.public, spread(placed, names[:count], conversations), texts, seconds)
                turns = len(window.latencies_ms)
                rows.append(Row(count, name, turns, round(turns / seconds, 1), percentile(window.latencies_ms, 0.5),
                                percentile(window.latencies_ms, 0.95), len(window.failed),
                                round(os.getloadavg()[0], 2)))
                print(f"  {count} instance(s), {name}: {rows[-1].turns_per_s} turns/s", flush=True)
                for problem in window.failed[:3]:
                    print(f"    failed: {problem}", flush=True)
        return rows, {"ready_s": round(cluster.ready_s), "rasa_instances": largest,
                      "tracker_store": tracker_sizes(cluster)}


def table(rows: list[Row]) -> str:
    lines = ["| Rasa instances | workload | turns/s | p50 ms | p95 ms | failed | load (1 min) |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r.rasa} | {r.workload} | {r.turns_per_s} | {r.p50_ms} | {r.p95_ms} | "
              f"{r.failed} | {r.load_1min} |" for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 3], help="Rasa instances, in turn")
    parser.add_argument("--conversations", type=int, default=50, help="conversations at the same time")
    parser.add_argument("--seconds", type=float, default=20, help="measuring window per workload")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        check_stores(THIS_MACHINE)
        find_haproxy(get_settings().haproxy_bin)
    except (StoreUnreachable, StackError) as missing:
        print(f"skipped: the cluster needs the production stores and HAProxy here. {missing}")
        return 0
    started = time.monotonic()
    idle_load = round(os.getloadavg()[0], 2)  # the other work on this machine's cores, before the cluster starts
    rows, run = bench(sorted(set(args.instances)), args.conversations, args.seconds, args.model)
    print(f"\n{args.conversations} conversations at the same time, {args.seconds:.0f} s per workload, "
          f"{os.cpu_count()} cores, load {idle_load} before the start; {time.monotonic() - started:.0f} s in all"
          f"\n{table(rows)}\ncluster of {run['rasa_instances']} ready in {run['ready_s']} s; tracker store "
          f"{run['tracker_store']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": [asdict(r) for r in rows], "run": run,
                                    "conversations": args.conversations, "seconds": args.seconds,
                                    "load_before": idle_load}, indent=2),
                        encoding="utf-8")
    return 1 if any(r.failed for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
