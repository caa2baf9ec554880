"""Every entity annotated in data/nlu is whole tokens, checked without training.

DIET learns an entity only from the tokens it covers; training merely warns ("Misaligned entity annotation")
and moves on. Here the tokenizer and the steps before it are built from config.yml as training builds them,
run over every training example, and each annotation is held to Rasa's own rule
(rasa/nlu/extractors/extractor.py, EntityExtractorMixin.check_correct_entity_annotations): its start is the
start of a token and its end the end of a token. A failure lists the message, the annotation and the tokens:
fix the annotation, or add the word to the dictionaries (items and places: bot/nlu/dictionary_words.py).

No annotation in data/nlu carries a value of its own ([3kg]{"entity": "weight", "value": "3"}): Rasa reads it as
a synonym, which nothing maps (no EntitySynonymMapper, see config.yml) and training warns about. The values
the actions receive are normalised in code: the rules and the gazetteer (bot/nlu/courier_entities.py) for
weights, cities, phones, amounts, sizes and numbers, the ScriptNormalizer for items. The held-out splits
(tests/nlu) do keep normalised values: bot.nlu.evaluate scores the final values, and nothing trains on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import rasa.shared.utils.validation
import yaml
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import dictionary_words

ROOT = Path(__file__).resolve().parents[2]


def _steps_up_to_the_tokenizer() -> list[dict]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    for index, step in enumerate(pipeline):
        if issubclass(DefaultV1Recipe._from_registry(step["name"]).clazz, Tokenizer):
            return pipeline[:index + 1]
    raise AssertionError("config.yml has no tokenizer")


@dataclass
class Checked:
    generated: str  # what bot/nlu/dictionary/generated.txt should hold for data/nlu
    tokenized: TrainingData  # data/nlu after config.yml's steps up to and including the tokenizer


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> Checked:
    # Rasa checks each {"entity": …} annotation against a JSON schema (25 s for data/nlu); `rasa data validate`
    # does that in `make test`, here only the parse is needed.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rasa.shared.utils.validation, "validate_training_data", lambda *args, **kwargs: None)
        data = dictionary_words.load_training_data()
    generated = dictionary_words.generated_text(data)
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    context = ExecutionContext(GraphSchema({}), "test")
    for index, step in enumerate(_steps_up_to_the_tokenizer()):
        component = DefaultV1Recipe._from_registry(step["name"]).clazz
        options = {key: value for key, value in step.items() if key != "name"}
        if "dictionary_path" in options:
            options["dictionary_path"] = str(ROOT / options["dictionary_path"])
        config = {**component.get_default_config(), **options}
        component.create(config, storage, Resource(f"step{index}"), context).process_training_data(data)
    return Checked(generated, data)


def test_the_tokenizer_reads_the_generated_dictionary() -> None:
    dictionary = next(step for step in _steps_up_to_the_tokenizer() if "dictionary_path" in step)["dictionary_path"]
    assert (ROOT / dictionary).resolve() == dictionary_words.DICTIONARY_DIR


def test_the_generated_dictionary_is_up_to_date(checked) -> None:
    written = dictionary_words.GENERATED_FILE.read_text(encoding="utf-8")
    assert written == checked.generated, (
        "bot/nlu/dictionary/generated.txt is stale: run .venv/bin/python -m bot.nlu.dictionary_words"
    )


def test_every_entity_annotation_is_whole_tokens(checked) -> None:
    misaligned = []
    for example in checked.tokenized.entity_examples:
        tokens = example.get(TOKENS_NAMES[TEXT])
        starts, ends = {token.start for token in tokens}, {token.end for token in tokens}
        text = example.get(TEXT)
        for entity in example.get(ENTITIES):
            if entity["start"] not in starts or entity["end"] not in ends:
                misaligned.append(f"{text!r}: {entity['entity']} {text[entity['start']:entity['end']]!r} "
                                  f"not whole tokens of {[token.text for token in tokens]}")
    assert not misaligned, f"{len(misaligned)} misaligned annotations:\n" + "\n".join(misaligned)


def test_the_check_finds_a_misaligned_annotation(checked) -> None:
    """The rule above catches what training warns about: 浦东 inside the token 浦东新区."""
    example = next(e for e in checked.tokenized.entity_examples if "浦东新区" in e.get(TEXT))
    start = example.get(TEXT).index("浦东新区")
    tokens = example.get(TOKENS_NAMES[TEXT])
    assert start in {token.start for token in tokens}
    assert start + 2 not in {token.end for token in tokens}


def test_no_annotation_carries_a_value_of_its_own(checked) -> None:
    synonyms = sorted(checked.tokenized.entity_synonyms.items())
    assert not synonyms, (
        f"{len(synonyms)} annotations in data/nlu give a value other than their text (Rasa synonyms, unused): "
        f"annotate the text only, [3kg](weight) or [北京市]{{\"entity\": \"city\", \"role\": \"origin\"}}: "
        + ", ".join(f"{text} → {value}" for text, value in synonyms[:20])
    )
