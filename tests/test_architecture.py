"""Dependencies run one way (docs/architecture.md): every import in bot/ and actions/ is read with `ast` and
checked against the arrows of the drawing, so an import against them fails here, wherever it is written
(top of the module or inside a function). And the tests mirror the code: tests/bot/channels/ holds the tests
of bot/channels/, so a test folder without a counterpart fails here too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ROOT

RASA = ("rasa", "rasa_sdk", "sanic")
WEB = ("fastapi", "starlette", "sqlalchemy")
# The Rasa-side parts: the backend, the console and the assembler must know none of them.
RASA_SIDE = ("actions", "bot.action_server", "bot.channels", "bot.nlu", "bot.policies", "bot.rasa_server")


@dataclass(frozen=True)
class Rule:
    """Modules in `part` may not import anything in `forbidden` (a package and everything under it)."""

    part: str
    forbidden: tuple[str, ...]
    why: str


RULES = (
    Rule("bot.backend", ("bot.console", "bot.web_app", "bot.retention", *RASA_SIDE, *RASA),
         "the backend knows nothing above it: not the console, not the assembler, not Rasa"),
    Rule("bot.console", ("bot.web_app", "bot.retention", *RASA_SIDE, *RASA),
         "the console uses the backend and shared helpers, never the assembler or Rasa's code"),
    Rule("bot.web_app", (*RASA_SIDE, *RASA), "the web process does not run Rasa's code"),
    Rule("actions", ("bot.backend", "bot.console", "bot.web_app", "bot.retention", "bot.channels", "bot.nlu",
                     "bot.policies", "rasa", "sanic", "fastapi", "starlette"),
         "actions reach the backend over HTTP and run under rasa_sdk, not Rasa"),
    Rule("bot.nlu", ("actions", "bot.backend", "bot.console", "bot.web_app", "bot.retention", "bot.channels",
                     *WEB), "NLU components run inside Rasa and use only the shared vocabulary"),
    Rule("bot.channels", ("actions", "bot.backend", "bot.console", "bot.web_app", "bot.retention", *WEB),
         "channels talk to the backend over HTTP"),
    Rule("bot.clients", ("actions", "bot.backend", "bot.console", "bot.web_app", "bot.retention", "bot.channels",
                         "bot.nlu", "bot.policies", "bot.outbox", *RASA, *WEB),
         "the HTTP clients sit below every part that calls another process: they know only settings and vocabulary"),
    Rule("bot.vocabulary", ("actions", "bot.backend", "bot.console", "bot.web_app", "bot.retention",
                            "bot.channels", "bot.nlu", "bot.policies", "bot.settings", *RASA, *WEB),
         "the vocabulary is the bottom layer: every part may use it, it uses none"),
    # Signs and checks web chat session tokens for the channel (Rasa) and the photo upload route (web process).
    Rule("bot.chat_session_token", ("actions", "bot.backend", "bot.console", "bot.web_app", "bot.retention",
                                    "bot.channels", "bot.nlu", "bot.policies", "bot.outbox", *RASA, *WEB),
         "a shared helper sits below the Rasa side and the web process alike: it imports neither"),
    Rule("bot.periodic", ("actions", "bot.backend", "bot.console", "bot.web_app", "bot.retention", "bot.channels",
                          "bot.nlu", "bot.policies", "bot.outbox", "bot.settings", *RASA, *WEB),
         "the background pass thread is a shared helper below every part that runs one"),
)

# A part's public surface: outside its package, other code imports this module of it and nothing deeper.
SURFACES = {"bot.backend": "bot.backend.public", "bot.console": "bot.console.public"}
# Who must keep to the backend's surface. Data retention and the benchmarks work on every table by their job.
BACKEND_SURFACE_USERS = ("bot.console", "bot.web_app")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. bot.console.desk
    target: str  # what it imports, e.g. bot.backend.public.ApiError
    line: int

    @property
    def is_launcher(self) -> bool:
        """`python -m …` entry points start a process; they sit above every part."""
        return self.module.endswith(".__main__")

    def where(self) -> str:
        return f"{self.module.replace('.', '/')}.py:{self.line} imports {self.target}"


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, is_package: bool = False) -> Iterator[Import]:
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield Import(module, f"{base}.{alias.name}", node.lineno)


def all_imports() -> list[Import]:
    found = []
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/**/*.py")]):
        found += imports_in(path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py")
    return found


def violations(imports: list[Import]) -> list[str]:
    found = []
    for item in imports:
        for rule in RULES:
            if not within(item.module, rule.part):
                continue
            for forbidden in rule.forbidden:
                # A launcher may start the assembled process (`python -m bot.backend` is its older name).
                if within(item.target, forbidden) and not (item.is_launcher and forbidden == "bot.web_app"):
                    found.append(f"{item.where()}: {rule.why}")
        found += surface_violations(item)
        if within(item.target, "bot.web_app") and not within(item.module, "bot.web_app") and not item.is_launcher:
            found.append(f"{item.where()}: only the assembler knows the assembled application")
    return found


def surface_violations(item: Import) -> list[str]:
    found = []
    for package, surface in SURFACES.items():
        if within(item.module, package) or not within(item.target, package) or within(item.target, surface):
            continue
        if package == "bot.backend" and not any(within(item.module, user) for user in BACKEND_SURFACE_USERS):
            continue
        found.append(f"{item.where()}: outside {package} only {surface} may be imported")
    return found


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    return all_imports()


def test_the_code_follows_the_arrows(imports: list[Import]) -> None:
    assert violations(imports) == []


def test_every_module_was_read(imports: list[Import]) -> None:
    modules = {item.module for item in imports}
    assert {"bot.backend.app", "bot.console.desk", "bot.web_app.assemble", "actions.claims"} <= modules


@pytest.mark.parametrize(("module", "source", "expected"), [
    ("bot.backend.app", "from bot.console.pages import install", "bot/backend/app.py:1 imports bot.console"),
    ("bot.backend.notifier", "def f():\n    import bot.console.views", "the backend knows nothing above it"),
    ("bot.backend.seed", "from rasa.core import agent", "not Rasa"),
    ("actions.claims", "from bot.backend.db import new_session", "actions reach the backend over HTTP"),
    ("actions.claims", "import rasa.shared.core.events", "not Rasa"),
    ("bot.console.desk", "from bot.backend.models import Parcel", "only bot.backend.public"),
    ("bot.console.desk", "from bot.backend import db", "only bot.backend.public"),
    ("bot.retention.plan", "from bot.console.models import Handoff", "only bot.console.public"),
    ("bot.channels.socketio", "from bot.web_app import create_app", "only the assembler"),
    ("bot.vocabulary.phones", "from bot.settings import get_settings", "bottom layer"),
    ("bot.clients.rasa", "from bot.console.models import Handoff", "the HTTP clients sit below every part"),
    ("bot.clients.backend", "from rasa_sdk import Tracker", "the HTTP clients sit below every part"),
    ("bot.backend.services.claims", "from ...console import desk", "imports bot.console.desk"),
    ("bot.backend.services.chat_uploads", "from bot.channels.socketio import SESSION_ID",
     "the backend knows nothing above it"),
    ("bot.chat_session_token", "from bot.channels.socketio import TOKEN_EVENT", "a shared helper sits below"),
])
def test_a_wrong_arrow_is_caught(module: str, source: str, expected: str) -> None:
    found = violations(list(imports_in(source, module)))
    assert found and any(expected in line for line in found), found


@pytest.mark.parametrize(("module", "source"), [
    ("bot.console.desk", "from bot.backend.public import ApiError"),
    ("bot.retention.plan", "from bot.backend.models import Claim"),
    ("bot.backend.__main__", "from bot.web_app.__main__ import main"),
    ("bot.web_app.assemble", "from bot.console.public import install"),
    ("actions.claims", "from bot.vocabulary.numerals import parse_yuan_to_fen"),
    ("actions.claims", "from bot.clients.backend import get_client"),
    ("bot.channels.handoff_gate", "from bot.clients.backend import get_client"),
    ("bot.backend.notifier", "from bot.clients.rasa import get_rasa"),
    ("bot.console.delivery", "from bot.clients.rasa import get_rasa"),
    ("bot.backend.services.chat_uploads", "from bot.chat_session_token import token_matches"),
    ("bot.channels.socketio", "from bot.chat_session_token import session_token"),
    ("bot.chat_session_token", "from bot.installation_secret import installation_secret"),
])
def test_a_right_arrow_passes(module: str, source: str) -> None:
    assert violations(list(imports_in(source, module))) == []


# tests/ mirrors the repository: the tests of bot/channels/wechat/ are in tests/bot/channels/wechat/, those of
# actions/ in tests/actions/, of deploy/ in tests/deploy/. These folders mirror nothing: the conversation tests,
# the cross-cutting hostile-input suite, the held-out NLU and story data, the browser tests' screenshots.
NOT_MIRRORED = ("e2e", "security", "nlu", "nlu_round3", "nlu_dev", "stories", "artifacts")
# Directly in tests/: checks of the project as a whole (this file, the entry points, pyproject's dependencies, what
# `rasa test` finds from the root).
WHOLE_PROJECT = {"test_architecture.py", "test_cli_help.py", "test_declared_dependencies.py", "test_rasa_test_defaults.py"}


def outside_the_mirror(root: Path) -> list[str]:
    """Test files (and their helpers) under tests/ whose folder has no counterpart in the repository."""
    found = []
    tests = root / "tests"
    for path in sorted(tests.rglob("*.py")):
        folder = path.parent.relative_to(tests)
        if not folder.parts:
            if path.name.startswith("test_") and path.name not in WHOLE_PROJECT:
                found.append(f"tests/{path.name}: a test of one part belongs in that part's mirror folder")
        elif folder.parts[0] not in NOT_MIRRORED and not (root / folder).is_dir():
            found.append(f"tests/{folder.as_posix()}/{path.name}: there is no {folder.as_posix()}/ to mirror")
    return found


def test_tests_mirror_the_code() -> None:
    assert outside_the_mirror(ROOT) == []


def test_a_test_outside_the_mirror_is_caught(tmp_path: Path) -> None:
    for folder in ("bot/channels/wechat", "actions", "tests/e2e", "tests/unit", "tests/bot/channels/wechat",
                   "tests/bot/gone", "tests/actions/claims"):
        (tmp_path / folder).mkdir(parents=True)
    for test in ("e2e/test_chat.py", "unit/test_wechat_xml.py", "bot/channels/wechat/test_xml.py",
                 "bot/gone/test_old.py", "actions/test_claims.py", "actions/claims/test_photos.py",
                 "test_architecture.py", "test_settings.py", "conftest.py"):
        (tmp_path / "tests" / test).write_text("")
    assert outside_the_mirror(tmp_path) == [
        "tests/actions/claims/test_photos.py: there is no actions/claims/ to mirror",
        "tests/bot/gone/test_old.py: there is no bot/gone/ to mirror",
        "tests/test_settings.py: a test of one part belongs in that part's mirror folder",
        "tests/unit/test_wechat_xml.py: there is no unit/ to mirror",
    ]
