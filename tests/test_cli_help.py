"""`--help` on every command-line entry point prints a usage line and exits 0, and does nothing else.

The entry points are found, not listed: every module of bot/ and actions/ with an `if __name__ == "__main__":`
block (a package's __main__.py runs as the package). A new one is covered the day it is written. They all run
at once, each with its own empty var dir and no database URLs, so one that ignored --help and started working
would touch nothing real (and would most likely not exit 0 with a usage line within the time limit).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

TIMEOUT_S = 180
VAR_DIRS: dict[str, Path] = {}
# The `python -m` names in the README and the Makefile: the discovery must find at least these.
KNOWN = {"bot.backend", "bot.web_app", "bot.backend.advance", "bot.backend.seed", "bot.bench", "bot.retention",
         "bot.runner", "bot.console.create_agent", "bot.nlu.evaluate", "bot.action_server", "bot.rasa_server"}


def _runs_as_script(source: str) -> bool:
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            names = [ast.unparse(part) for part in (node.test.left, *node.test.comparators)]
            if "__name__" in names and "'__main__'" in names:
                return True
    return False


def entry_points() -> list[str]:
    found = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py")]:
        if path.name == "__main__.py" or _runs_as_script(path.read_text(encoding="utf-8")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found.add(".".join(parts[:-1] if parts[-1] == "__main__" else parts))
    return sorted(found)


@pytest.fixture(scope="module")
def helps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every entry point run with --help, all at the same time (the Rasa-based ones take seconds to import)."""
    running = {}
    for module in entry_points():
        env = {key: value for key, value in os.environ.items()
               if key not in ("DATABASE_URL", "TRACKER_STORE_URL", "OUTBOX_DATABASE_URL")}
        VAR_DIRS[module] = tmp_path_factory.mktemp(module) / "var"
        env["COURIER_VAR_DIR"] = str(VAR_DIRS[module])
        running[module] = subprocess.Popen([sys.executable, "-m", module, "--help"], cwd=ROOT, env=env, text=True,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    done = {}
    for module, process in running.items():
        try:
            out, err = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        done[module] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


def test_the_known_entry_points_are_found() -> None:
    assert KNOWN <= set(entry_points())


@pytest.mark.parametrize("module", entry_points())
def test_help_prints_the_usage_and_exits_0(helps: dict[str, subprocess.CompletedProcess[str]], module: str) -> None:
    result = helps[module]
    assert result.returncode == 0, f"python -m {module} --help exited {result.returncode}: {result.stderr[-2000:]}"
    assert result.stdout.lstrip().startswith("usage: "), result.stdout[:500]



@pytest.mark.parametrize("module", entry_points())
def test_help_leaves_nothing_behind(helps: dict[str, subprocess.CompletedProcess[str]], module: str) -> None:
    # Asking how to run a command must not create databases or files (the action server made its outbox).
    var_dir = VAR_DIRS[module]
    assert not var_dir.exists() or not any(var_dir.iterdir()), sorted(p.name for p in var_dir.iterdir())
