"""Train the model only when something it is made from has changed.

    python -m bot.training            # `make train`: trains, or says the model is up to date
    python -m bot.training --force    # trains whatever the stamp says

`rasa train` fingerprints its inputs too, but even with nothing changed it imports TensorFlow, reads every
file, runs a fingerprint pass over the graph and packs a new 100 MB archive (about a minute and a half here),
and when one custom component's fingerprint moves it trains everything again. A newcomer who types `make run`
twice should wait seconds, not minutes: this module hashes what the model is made from — config.yml, the
domain, data/, and the source and data files of every project component that config.yml names, with the
project modules they import — and keeps the hash beside the model. Same hash and the same model file: nothing
to do.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "courier.tar.gz"
STAMP = MODEL.with_name("courier.inputs.json")
PACKAGE = "bot"
# What every model is made from, whatever its components.
BASE_INPUTS = ("config.yml", "domain.yml", "domain", "data", "pyproject.toml")


def component_modules(config: Path) -> set[str]:
    """The project modules that config.yml names as NLU components or policies."""
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    names = [item.get("name", "") for key in ("pipeline", "policies") for item in settings.get(key) or []]
    return {name.rsplit(".", 1)[0] for name in names if name.startswith(f"{PACKAGE}.")}


def _module_path(module: str, root: Path) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _project_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == PACKAGE or name.startswith(f"{PACKAGE}.")}


def _data_files(directory: Path) -> set[Path]:
    """Lexicons, dictionaries and word lists beside a module, in its folder and its non-package subfolders."""
    found = set()
    for path in directory.iterdir():
        if path.is_file() and path.suffix not in (".py", ".pyc"):
            found.add(path)
        elif path.is_dir() and path.name != "__pycache__" and not (path / "__init__.py").exists():
            found.update(_data_files(path))
    return found


def source_files(modules: set[str], root: Path = ROOT) -> set[Path]:
    """The files of these modules and of every project module they import, with their packages' data files."""
    files: set[Path] = set()
    pending, seen = list(modules), set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_path(module, root)
        if path is None:
            continue  # `from bot.nlu import names` also yields the non-module "bot.nlu.names"
        files.add(path)
        if path.parent != root / PACKAGE:  # bot/ itself holds the web pages, not word lists
            files.update(_data_files(path.parent))
        pending.extend(_project_imports(path))
    return files


def input_files(root: Path = ROOT) -> list[Path]:
    files = source_files(component_modules(root / "config.yml"), root)
    for name in BASE_INPUTS:
        path = root / name
        files.update([path] if path.is_file() else (p for p in path.rglob("*") if p.is_file()))
    return sorted(p for p in files if "__pycache__" not in p.parts)


def inputs_digest(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_up_to_date(model: Path = MODEL, stamp: Path = STAMP, root: Path = ROOT) -> bool:
    """True when the model exists, is the one the stamp was written for, and its inputs have not changed."""
    if not (model.is_file() and stamp.is_file()):
        return False
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return recorded.get("inputs") == inputs_digest(root) and recorded.get("model") == _file_digest(model)


def write_stamp(model: Path = MODEL, stamp: Path = STAMP, root: Path = ROOT, inputs: str | None = None,
                trained_in_s: float | None = None) -> None:
    record: dict[str, object] = {"inputs": inputs or inputs_digest(root), "model": _file_digest(model)}
    if trained_in_s is not None:
        # Read by `make bench` (bot/bench/versus_stock.py): the training time of this machine, without training.
        record["trained_in_s"] = round(trained_in_s, 1)
    stamp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def train(force: bool = False) -> int:
    if not force and is_up_to_date():
        print(f"The model is up to date: {MODEL.relative_to(ROOT)} was trained from the current data, config and "
              "components (python -m bot.training --force trains anyway).")
        return 0
    # Hashed before training: an edit made while training runs makes the next `make train` train again.
    inputs = inputs_digest()
    # Trained beside the model and moved over it in one rename: a Rasa server (re)loading the model while this
    # runs reads the old file or the new one, never half of one.
    MODEL.parent.mkdir(exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=".training-", dir=MODEL.parent) as scratch:
        rasa = Path(sys.executable).with_name("rasa")
        command = [str(rasa), "train", "--quiet", "--fixed-model-name", "model", "--out", scratch]
        result = subprocess.run(command, cwd=ROOT, check=False)
        trained = Path(scratch) / "model.tar.gz"
        if result.returncode != 0 or not trained.is_file():
            return result.returncode or 1
        os.replace(trained, MODEL)
    write_stamp(inputs=inputs, trained_in_s=time.monotonic() - started)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training", description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="train even when the model is up to date")
    args = parser.parse_args(argv)
    return train(force=args.force)


if __name__ == "__main__":
    sys.exit(main())
