"""The demo data: parcels in every state, seeded once (a second run changes nothing)."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_every_state_is_present(backend):
    # Generated parcels cycle through the states: ZT100000000100 onwards, eight states in turn.
    seen = {backend.get(f"/parcels/ZT1{index:011d}").json()["status"] for index in range(100, 116)}
    assert seen == {"collected", "in_transit", "at_hub", "out_for_delivery", "delivered", "exception", "delayed",
                    "returned"}


def test_seeding_twice_changes_nothing(backend):
    before = backend.get("/reports/kpi", params={"days": 3650}).json()["counts"]
    env = {**os.environ, "COURIER_VAR_DIR": str(backend.var_dir),
           "DATABASE_URL": "" if backend.database == "sqlite" else backend.database}
    result = subprocess.run([sys.executable, "-m", "bot.backend.seed"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "already present" in result.stdout
    assert backend.get("/reports/kpi", params={"days": 3650}).json()["counts"] == before
