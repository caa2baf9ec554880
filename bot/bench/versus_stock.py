"""Ours beside a stock `rasa init` assistant, in one run and one profile: issue 15's table, each row with the ratio
and whether its target is met.

    python -m bot.bench.versus_stock [--conversations 50] [--seconds 20] [--long-turns 200] [--train]

Both assistants run on this machine at the same time of the same run, so other work on the cores weighs on both:

- ready: from nothing running to answering. Ours is what `make run` does with an unchanged model (the training
  check, then backend, action server and Rasa started and healthy); stock is `rasa run` until its /status answers.
- training: stock `rasa train --force` is timed here. Ours is the time the last `make train` took on this machine
  (bot/training.py keeps it beside the model); `--train` trains ours again here instead (7 to 9 minutes).
- turn p50: each turn a new conversation, over REST, one at a time (greet, tracking, quote; stock: hello).
- 50 at once, embedded: each profile's default stores (ours SQLite, stock in memory); ours tracking and the mix of
  bot/bench/cluster.py, stock greetings.
- 50 at once, production: ours is `make cluster` with one Rasa instance behind HAProxy on PostgreSQL, Redis and
  RabbitMQ; stock is `rasa run` with the same PostgreSQL (tracker store) and Redis (lock store). Skipped, saying
  why, when a store or HAProxy is missing.
- long conversation: one conversation of `--long-turns` turns; the slope of latency over earlier turns.
- `make test`: the last run's time in this tree (results/make_test.json, written by `make test`).

Printed as a table and written to results/bench_versus_stock.json; exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from bot.bench.cluster import measure
from bot.bench.throughput import PRODUCTION
from bot.bench.tracker_store import MESSAGES as MIX
from bot.bench.turns import start_stock, stock_model, time_turns
from bot.settings import ROOT, get_settings
from bot.stack import DEFAULT_MODEL, Ports, Stack
from bot.training import STAMP, is_up_to_date

OUT = ROOT / "results" / "bench_versus_stock.json"
MAKE_TEST_RECORD = ROOT / "results" / "make_test.json"
OURS_TURNS = {"greet": "你好", "tracking": "查件 ZT100000000001", "quote": "从上海寄3公斤到北京多少钱"}
STOCK_TURN = "hello"
# Flat within a session: 400 earlier turns may add at most 40 ms to a turn.
FLAT_MS_PER_TURN = 0.1


@dataclass
class Line:
    what: str
    unit: str
    ours: float | None
    stock: float | None
    target: str
    met: bool | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.stock:
            return None
        return round(self.ours / self.stock, 2)


def timed(action: Callable[[], Any]) -> float:
    started = time.monotonic()
    action()
    return round(time.monotonic() - started, 1)


def p50_ms(rasa_url: str, text: str, count: int) -> float:
    """The median milliseconds of a turn that opens a new conversation."""
    return round(statistics.median(time_turns(rasa_url, text, count)), 1)


def turns_per_s(rasa_url: str, texts: tuple[str, ...], conversations: int, seconds: float) -> float:
    """Turns answered per second with `conversations` customers at once, each opened (and warm) first."""
    senders = [f"bench-{uuid.uuid4().hex[:12]}" for _ in range(conversations)]
    measure(rasa_url, senders, (texts[0],), 3)
    window = measure(rasa_url, senders, texts, seconds)
    if window.failed:
        raise RuntimeError(f"{len(window.failed)} turns failed, e.g. {window.failed[0]}")
    return round(len(window.latencies_ms) / seconds, 1)


def slope_ms_per_turn(rasa_url: str, texts: tuple[str, ...], turns: int) -> float:
    """How many milliseconds each earlier turn of the same conversation adds to a turn (least squares)."""
    session = requests.Session()
    sender = f"bench-long-{uuid.uuid4().hex[:10]}"
    latencies = []
    for index in range(turns):
        started = time.perf_counter()
        session.post(f"{rasa_url}/webhooks/rest/webhook",
                     json={"sender": sender, "message": texts[index % len(texts)]}, timeout=60).raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
    # The first turns trace TensorFlow's graphs: left out, they would tilt the line downwards.
    skip = min(10, turns // 4)
    return round(statistics.linear_regression(range(skip, turns), latencies[skip:]).slope, 3)


def last_training_s() -> float | None:
    try:
        return json.loads(STAMP.read_text(encoding="utf-8")).get("trained_in_s")
    except (OSError, ValueError):
        return None


def make_test_s() -> float | None:
    try:
        return json.loads(MAKE_TEST_RECORD.read_text(encoding="utf-8")).get("seconds")
    except (OSError, ValueError):
        return None


@contextmanager
def embedded_ours(model: Path) -> Iterator[tuple[Stack, float]]:
    """Our stack as `make run` starts it with an unchanged model, on fresh files; and the seconds until ready."""
    for name in PRODUCTION:
        os.environ.pop(name, None)
    stack = Stack()
    with tempfile.TemporaryDirectory(prefix="bench-vs-stock-") as var_dir:
        try:
            started = time.monotonic()
            subprocess.run([sys.executable, "-m", "bot.training"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            stack.start(ports=Ports.free(), model=model, var_dir=Path(var_dir))
            yield stack, round(time.monotonic() - started, 1)
        finally:
            stack.stop()


@contextmanager
def stock_running(endpoints: Path | None = None) -> Iterator[tuple[Stack, float]]:
    workdir = get_settings().var_dir / "bench" / "stock-init"
    model = stock_model(workdir)
    started = time.monotonic()
    stack = start_stock(model, workdir, Ports.free().rasa, endpoints)
    try:
        yield stack, round(time.monotonic() - started, 1)
    finally:
        stack.stop()


def shown(line: Line) -> Line:
    """The line, printed as soon as it is measured (a later failure keeps it on the screen)."""
    print(f"  {line.what}: ours {_shown(line.ours, line.unit)}, stock {_shown(line.stock, line.unit)}", flush=True)
    return line


def embedded_lines(args: argparse.Namespace) -> list[Line]:
    workdir = get_settings().var_dir / "bench" / "stock-init"
    stock_file = stock_model(workdir)
    with tempfile.TemporaryDirectory(prefix="bench-stock-train-") as out:  # the kept stock model stays as it is
        stock_train = timed(lambda: subprocess.run(
            [sys.executable, "-m", "rasa", "train", "--force", "--quiet", "--out", out], cwd=workdir, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    ours_train = (timed(lambda: subprocess.run([sys.executable, "-m", "bot.training", "--force"], cwd=ROOT,
                                                check=True)) if args.train else last_training_s())
    train_note = "trained in this run" if args.train else "ours: the last `make train` here"
    ours_mb = _megabytes(args.model)
    lines = [shown(Line("training", "s", ours_train, stock_train, "≤ 300 s", _at_most(ours_train, 300), train_note)),
             shown(Line("model file", "MB", ours_mb, _megabytes(stock_file), "≤ 50 MB", _at_most(ours_mb, 50)))]
    with stock_running() as (stock, stock_ready), embedded_ours(args.model) as (ours, ours_ready):
        lines.append(shown(Line("`make run` again, nothing changed: until ready", "s", ours_ready, stock_ready,
                                "≤ 25 s", _at_most(ours_ready, 25))))
        lines += turn_lines(ours.rasa_url, stock.rasa_url, args)
    return lines


def turn_lines(ours: str, stock: str, args: argparse.Namespace) -> list[Line]:
    """Turn latency, throughput and the long conversation, ours (at `ours`) beside stock (at `stock`)."""
    lines = []
    stock_p50 = p50_ms(stock, STOCK_TURN, args.turns)
    for name, text in OURS_TURNS.items():
        ours_p50 = p50_ms(ours, text, args.turns)
        lines.append(shown(Line(f"new-conversation turn p50: {name} (stock: greet)", "ms", ours_p50, stock_p50,
                                "≤ 1.5× stock", _at_most(ours_p50, 1.5 * stock_p50))))
    stock_rate = turns_per_s(stock, (STOCK_TURN,) * 5, args.conversations, args.seconds)
    for name, texts, share in (("tracking", (OURS_TURNS["tracking"],) * 5, 1.0), ("mix", MIX, 0.8)):
        rate = turns_per_s(ours, texts, args.conversations, args.seconds)
        lines.append(shown(Line(f"{args.conversations} at once, embedded: {name} (stock: greet)", "turns/s", rate,
                                stock_rate, f"≥ {share}× stock", rate >= share * stock_rate)))
    ours_slope = slope_ms_per_turn(ours, MIX, args.long_turns)
    stock_slope = slope_ms_per_turn(stock, (STOCK_TURN,), args.long_turns)
    lines.append(shown(Line(f"long conversation ({args.long_turns} turns): added per earlier turn", "ms",
                            ours_slope, stock_slope, f"≤ {FLAT_MS_PER_TURN} ms (flat)",
                            _at_most(ours_slope, FLAT_MS_PER_TURN))))
    return lines


def production_lines(args: argparse.Namespace) -> list[Line]:
    """Tracking on our one-instance cluster against stock greetings on the same PostgreSQL and Redis."""
    from bot.bench.production_stock import production_stock_endpoints, stores_missing
    from bot.cluster.child import running_cluster

    missing = stores_missing()
    if missing:
        return [Line("50 at once, production", "turns/s", None, None, "≥ 1.0× stock", None, f"skipped: {missing}")]
    with production_stock_endpoints() as endpoints, stock_running(endpoints) as (stock, _):
        stock_rate = turns_per_s(stock.rasa_url, (STOCK_TURN,) * 5, args.conversations, args.seconds)
    with tempfile.TemporaryDirectory(prefix="bench-vs-stock-cluster-") as var_dir, \
            running_cluster(1, 1, 1, Path(var_dir), args.model) as cluster:
        rate = turns_per_s(cluster.public, (OURS_TURNS["tracking"],) * 5, args.conversations, args.seconds)
    return [Line(f"{args.conversations} at once, production: tracking (stock: greet)", "turns/s", rate, stock_rate,
                 "≥ 1.0× stock", rate >= stock_rate, "ours behind HAProxy, stock direct")]


def make_test_line() -> Line:
    seconds = make_test_s()
    note = "the last `make test` in this tree" if seconds else "no `make test` recorded in this tree yet"
    return Line("`make test`", "s", seconds, None, "≤ 900 s", _at_most(seconds, 900), note)


def _at_most(value: float | None, bound: float) -> bool | None:
    return None if value is None else value <= bound


def _megabytes(path: Path) -> float:
    return round(path.stat().st_size / 1e6, 1)


def table(lines: list[Line]) -> str:
    rows = ["| what | ours | stock `rasa init` | ratio | target | met | note |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for line in lines:
        met = {True: "yes", False: "**no**", None: "—"}[line.met]
        rows.append(f"| {line.what} | {_shown(line.ours, line.unit)} | {_shown(line.stock, line.unit)} | "
                    f"{'—' if line.ratio is None else f'{line.ratio}×'} | {line.target} | {met} | {line.note} |")
    return "\n".join(rows)


def _shown(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value} {unit}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.bench.versus_stock", description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50, help="conversations at the same time")
    parser.add_argument("--seconds", type=float, default=20, help="measuring window per workload")
    parser.add_argument("--turns", type=int, default=40, help="new conversations per turn p50")
    parser.add_argument("--long-turns", type=int, default=200, help="turns of the long conversation")
    parser.add_argument("--train", action="store_true", help="train ours again here (7 to 9 minutes)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.model == DEFAULT_MODEL and not is_up_to_date():
        # The "ready again" row is `make run` with nothing changed: a training inside it would be another figure.
        print("The model is older than its data: run `make train` first (`make bench` does).", file=sys.stderr)
        return 2
    load_before = round(os.getloadavg()[0], 2)
    lines = embedded_lines(args)
    try:
        lines += production_lines(args)
    except Exception as error:  # noqa: BLE001 - the embedded rows stand; say why these did not run
        lines.append(Line("50 at once, production", "turns/s", None, None, "≥ 1.0× stock", False,
                          f"failed: {str(error).splitlines()[0][:160]}"))
    lines.append(make_test_line())
    print(f"\n{os.cpu_count()} cores, load {load_before} before the start\n{table(lines)}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"lines": [{**asdict(line), "ratio": line.ratio} for line in lines],
                                    "load_before": load_before}, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if any(line.met is False for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
