"""`make train` trains only when the model's inputs changed (bot/training.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import training

CONFIG = """
pipeline:
  - name: bot.nlu.thing.Component
  - name: JiebaTokenizer
policies:
  - name: bot.policies.rule.Policy
  - name: TEDPolicy
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = {
        "config.yml": CONFIG,
        "domain.yml": "intents: [greet]\n",
        "data/nlu/greet.yml": "nlu: []\n",
        "bot/__init__.py": "",
        "bot/nlu/__init__.py": "",
        "bot/nlu/thing.py": "from bot.vocabulary import words\nfrom bot.vocabulary.words import WORDS\n",
        "bot/nlu/lexicon/words.txt": "快递\n",
        "bot/policies/__init__.py": "",
        "bot/policies/rule.py": "import json\n",
        "bot/vocabulary/__init__.py": "",
        "bot/vocabulary/words.py": "WORDS = 1\n",
        "bot/web/page.py": "from bot.nlu import thing\n",
        "models/courier.tar.gz": "model",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _names(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in training.input_files(root)}


def test_inputs_are_the_data_and_the_components_with_what_they_import(project: Path) -> None:
    names = _names(project)
    assert {"config.yml", "domain.yml", "data/nlu/greet.yml", "bot/nlu/thing.py", "bot/nlu/lexicon/words.txt",
            "bot/vocabulary/words.py", "bot/policies/rule.py"} <= names
    assert "bot/web/page.py" not in names  # imports a component, but no component imports it
    assert "models/courier.tar.gz" not in names


def test_the_real_config_reaches_the_project_components_and_their_word_lists() -> None:
    names = _names(training.ROOT)
    assert "bot/nlu/script_normalizer.py" in names and "bot/policies/angry_handoff.py" in names
    assert any(name.startswith("bot/nlu/dictionary") for name in names)
    assert any(name.startswith("bot/vocabulary/") for name in names)
    assert not any(name.startswith(("bot/backend/", "bot/console/", "actions/")) for name in names)


def _model(project: Path) -> Path:
    return project / "models" / "courier.tar.gz"


def _stamp(project: Path) -> Path:
    return project / "models" / "courier.inputs.json"


def test_a_stamped_model_is_up_to_date_until_an_input_or_the_model_changes(project: Path) -> None:
    model, stamp = _model(project), _stamp(project)
    assert not training.is_up_to_date(model, stamp, project)
    training.write_stamp(model, stamp, project)
    assert training.is_up_to_date(model, stamp, project)

    (project / "bot/vocabulary/words.py").write_text("WORDS = 2\n", encoding="utf-8")
    assert not training.is_up_to_date(model, stamp, project)
    training.write_stamp(model, stamp, project)

    (project / "data/nlu/new.yml").write_text("nlu: []\n", encoding="utf-8")
    assert not training.is_up_to_date(model, stamp, project)
    training.write_stamp(model, stamp, project)

    model.write_text("another model", encoding="utf-8")
    assert not training.is_up_to_date(model, stamp, project)


def test_a_missing_model_or_a_damaged_stamp_means_training(project: Path) -> None:
    model, stamp = _model(project), _stamp(project)
    training.write_stamp(model, stamp, project)
    stamp.write_text("{not json", encoding="utf-8")
    assert not training.is_up_to_date(model, stamp, project)
    training.write_stamp(model, stamp, project)
    model.unlink()
    assert not training.is_up_to_date(model, stamp, project)


def test_an_edit_outside_the_inputs_keeps_the_model(project: Path) -> None:
    model, stamp = _model(project), _stamp(project)
    training.write_stamp(model, stamp, project)
    (project / "bot/web/page.py").write_text("# changed\n", encoding="utf-8")
    assert training.is_up_to_date(model, stamp, project)


def test_the_stamp_keeps_how_long_training_took_without_changing_what_is_up_to_date(project: Path) -> None:
    model, stamp = _model(project), _stamp(project)
    training.write_stamp(model, stamp, project, trained_in_s=431.24)
    assert json.loads(stamp.read_text(encoding="utf-8"))["trained_in_s"] == 431.2
    assert training.is_up_to_date(model, stamp, project)
