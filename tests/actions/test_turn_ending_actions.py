"""Actions that end the customer's turn themselves (actions.common.then_listen) must agree with the dialogue data.

Their FollowupAction makes Rasa listen without asking the policies; that is only right if every rule and story
(training data and story tests alike) has the assistant wait after them. A rule or story that continues after
one of them would be silently ignored at run time: this test stops that.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa_sdk import Action

import actions
from bot.settings import ROOT

TURN_ENDING = {"action_track_parcel", "action_verify_parcel", "action_quote", "action_subscribe_updates",
               "action_hurry_parcel"}
STORY_FOLDERS = (ROOT / "data", ROOT / "tests" / "stories")
ACTION_LISTEN = "action_listen"


def _story_files() -> list[Path]:
    return sorted(p for folder in STORY_FOLDERS for p in folder.rglob("*.yml") if "nlu" not in p.parts)


def _steps() -> list[tuple[str, list]]:
    domain = Domain.load(str(ROOT / "domain.yml"))
    reader = YAMLStoryReader(domain)
    found = []
    for path in _story_files():
        if not YAMLStoryReader.is_stories_file(str(path)):
            continue
        for step in reader.read_from_file(str(path)):
            found.append((f"{path.name}: {step.block_name}", step.events))
    return found


def _next_action(events: list, index: int) -> str | None:
    """The next action after events[index], ACTION_LISTEN for a customer message, None at the end."""
    for event in events[index + 1:]:
        if isinstance(event, UserUttered):
            return ACTION_LISTEN
        if isinstance(event, ActionExecuted):
            return event.action_name
    return None


def test_the_assistant_waits_after_a_turn_ending_action():
    steps = _steps()
    assert any(isinstance(e, ActionExecuted) and e.action_name in TURN_ENDING for _, events in steps for e in events)
    continuing = [
        f"{block}: {event.action_name} → {_next_action(events, index)}"
        for block, events in steps
        for index, event in enumerate(events)
        if isinstance(event, ActionExecuted) and event.action_name in TURN_ENDING
        and _next_action(events, index) not in (ACTION_LISTEN, None)
    ]
    assert not continuing, "these end the turn (then_listen), but the data continues after them:\n" + "\n".join(
        continuing)


def test_the_list_names_exactly_the_actions_that_call_then_listen():
    calling = set()
    for info in pkgutil.iter_modules(actions.__path__):
        module = importlib.import_module(f"actions.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, Action) and cls is not Action \
                    and "then_listen(" in inspect.getsource(cls):
                calling.add(cls().name())
    assert calling == TURN_ENDING
