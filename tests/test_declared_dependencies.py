"""Every third-party package our code imports is declared in pyproject.toml, not merely brought by Rasa's pins:
a Rasa upgrade that dropped one would otherwise break us without a word from pip."""

from __future__ import annotations

import ast
import re
import sys
from functools import cache
from importlib.metadata import distributions, packages_distributions

import tomli
from packaging.utils import canonicalize_name

from tests.support import ROOT

FIRST_PARTY = {"bot", "actions", "tests", "__future__"}
# A requirement's distribution name: what comes before extras, a version or a marker (PEP 508).
_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def top_level_imports(source: str) -> set[str]:
    """Absolute imports' first names (relative imports are our own)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def third_party_imports() -> dict[str, list[str]]:
    """Import name → the files importing it, for bot/ and actions/."""
    found: dict[str, list[str]] = {}
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py")]):
        for name in top_level_imports(path.read_text(encoding="utf-8")):
            if name not in sys.stdlib_module_names and name not in FIRST_PARTY:
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


@cache
def import_names_to_distributions() -> dict[str, set[str]]:
    """packages_distributions(), completed from each distribution's file list: on Python 3.10 it reads only
    top_level.txt, which many wheels (fastapi, rasa, cryptography…) do not ship."""
    mapping = {name: {canonicalize_name(dist) for dist in dists} for name, dists in packages_distributions().items()}
    for dist in distributions():
        name = canonicalize_name(dist.metadata["Name"])
        for top in {file.parts[0] for file in dist.files or []}:
            if not top.endswith((".dist-info", ".egg-info", ".pth")) and top not in ("..", "__pycache__"):
                mapping.setdefault(top.removesuffix(".py"), set()).add(name)
    return mapping


def declared() -> set[str]:
    project = tomli.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonicalize_name(_NAME.match(line).group(1)) for line in project["dependencies"]}


def test_requirement_names_are_read() -> None:
    assert {"rasa", "uvicorn", "pyyaml", "sanic-cors", "python-socketio"} <= declared()


def test_the_import_scan_sees_the_code() -> None:
    imports = third_party_imports()
    assert {"sqlalchemy", "rasa_sdk", "yaml", "fastapi"} <= set(imports)
    assert "os" not in imports and "bot" not in imports


def test_every_import_name_belongs_to_an_installed_distribution() -> None:
    mapping = import_names_to_distributions()
    assert mapping["yaml"] == {"pyyaml"} and mapping["socketio"] == {"python-socketio"}
    assert [name for name in third_party_imports() if name not in mapping] == []


def test_every_third_party_import_is_declared() -> None:
    mapping, wanted = import_names_to_distributions(), declared()
    missing = {name: files[:3] for name, files in third_party_imports().items()
               if name in mapping and not mapping[name] & wanted}
    assert missing == {}, f"declare these distributions in pyproject.toml: {missing}"
