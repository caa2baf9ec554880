"""No annotation in data/nlu carries a value of its own ([3kg]{"entity": "weight", "value": "3"}).

Rasa reads such a value as a synonym, which nothing maps (no EntitySynonymMapper, see config.yml) and training
warns about. The values the actions receive are normalised in code: the rules and the gazetteer
(bot/nlu/courier_entities.py) for weights, cities, phones, amounts, sizes and numbers, the ScriptNormalizer for
items. The held-out splits (tests/nlu) keep normalised values: bot.nlu.evaluate scores the final values.
"""

from __future__ import annotations

import pytest
import rasa.shared.utils.validation
from rasa.shared.importers.rasa import RasaFileImporter

from tests.support import ROOT


def test_no_annotation_carries_a_value_of_its_own() -> None:
    # Rasa checks each annotation against a JSON schema (25 s here); `rasa data validate` does that in make test.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rasa.shared.utils.validation, "validate_training_data", lambda *args, **kwargs: None)
        data = RasaFileImporter(training_data_paths=[str(ROOT / "data" / "nlu")]).get_nlu_data()
    synonyms = sorted(data.entity_synonyms.items())
    assert not synonyms, (
        f"{len(synonyms)} annotations in data/nlu give a value other than their text (Rasa synonyms, unused): "
        f"annotate the text only, [3kg](weight) or [北京市]{{\"entity\": \"city\", \"role\": \"origin\"}}: "
        + ", ".join(f"{text} → {value}" for text, value in synonyms[:20])
    )
