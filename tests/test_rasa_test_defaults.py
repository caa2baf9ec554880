"""`rasa test` with no arguments, from the repository root, tests this project's stories and nothing else.

Rasa's defaults are read from its own argument parser and the files are found by its own walk (the one `rasa test`
makes below its story path, `.` by default, `.venv/` included), so a Rasa upgrade that changes either is checked
too. The whole `rasa test` (model loading, every story, NLU on data/) takes minutes; `make stories` and
`make nlu-eval` run the real evaluations.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rasa.shared.data
from rasa.__main__ import create_argument_parser
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from tests.support import ROOT


@pytest.fixture(scope="module")
def defaults():
    """What `rasa test` runs with when given no arguments."""
    return create_argument_parser().parse_args(["test"])


def _found(path: str, predicate) -> list[Path]:
    return sorted(Path(found).resolve() for found in rasa.shared.data.get_data_files([path], predicate))


def test_plain_rasa_test_finds_our_test_stories_only(defaults, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    found = _found(defaults.stories, YAMLStoryReader.is_test_stories_file)
    ours = sorted((ROOT / "tests" / "stories").glob("test_*.yml"))
    strangers = [str(path) for path in found if path not in ours]
    assert not strangers, (
        f"`rasa test` would also test {strangers}: a story file named test_*.yml anywhere below the root is a test "
        "for Rasa (`make install` removes the `rasa init` template's examples from .venv for this reason)")
    assert found == ours


def test_plain_rasa_test_evaluates_nlu_on_the_training_data(defaults, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    found = _found(defaults.nlu, rasa.shared.data.is_nlu_file)
    assert found
    assert all(path.is_relative_to(ROOT / "data") for path in found), found
