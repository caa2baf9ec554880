"""The comparison table of `make bench` (bot/bench/versus_stock.py): ratios, verdicts and the recorded times it
reads; the measurements themselves run in `make bench`, not here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.bench import versus_stock
from bot.bench.versus_stock import Line, table


def test_ratio_is_ours_over_stock_and_absent_without_both() -> None:
    assert Line("turn", "ms", 30.0, 20.0, "≤ 1.5× stock", True).ratio == 1.5
    assert Line("make test", "s", 900.0, None, "≤ 900 s", True).ratio is None
    assert Line("production", "turns/s", None, None, "≥ 1.0× stock", None).ratio is None


def test_table_marks_a_missed_target_and_a_row_that_did_not_run() -> None:
    shown = table([Line("model file", "MB", 53.1, 1.2, "≤ 50 MB", False),
                   Line("production", "turns/s", None, None, "≥ 1.0× stock", None, "skipped: no Redis")])
    lines = shown.splitlines()
    assert lines[2] == "| model file | 53.1 MB | 1.2 MB | 44.25× | ≤ 50 MB | **no** |  |"
    assert lines[3] == "| production | — | — | — | ≥ 1.0× stock | — | skipped: no Redis |"


def test_the_last_training_time_comes_from_the_models_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stamp = tmp_path / "courier.inputs.json"
    monkeypatch.setattr(versus_stock, "STAMP", stamp)
    assert versus_stock.last_training_s() is None
    stamp.write_text(json.dumps({"inputs": "x", "model": "y", "trained_in_s": 431.2}), encoding="utf-8")
    assert versus_stock.last_training_s() == 431.2


def test_make_test_time_comes_from_the_record_make_test_writes(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    record = tmp_path / "make_test.json"
    monkeypatch.setattr(versus_stock, "MAKE_TEST_RECORD", record)
    assert versus_stock.make_test_line().met is None
    record.write_text('{"seconds": 3300, "finished": "2026-12-07T18:00:00+00:00"}\n', encoding="utf-8")
    line = versus_stock.make_test_line()
    assert (line.ours, line.met) == (3300, False)
