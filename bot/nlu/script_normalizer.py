"""First pipeline step: Traditional Chinese text becomes Simplified before tokenisation.

The model is trained mostly on Simplified data; converting at the door lets it understand 可以寄充電寶嗎
as 可以寄充电宝吗. Conversion is character for character, so entity offsets in training data and in
the parse output still point at the right characters. The script the customer used is put in the parse
output ("script") so replies can be given in the same script.

Lone surrogates and control characters become spaces here (same offsets): the channels already drop them,
but Rasa's /model/parse and any other caller reach the pipeline directly, and later steps (OpenCC, jieba,
the tracker store) must never see an unencodable character.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_VALUE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.component_base import ChineseNluComponent
from bot.text_hygiene import blank_unsafe, has_unsafe
from bot.vocabulary.script import detect_script, simplify_keeping_offsets, to_simplified

SCRIPT = "script"
ORIGINAL_TEXT = "original_text"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ScriptNormalizer(ChineseNluComponent):
    """Records the customer's script and rewrites the message text in Simplified Chinese."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            self._normalize(message, for_output=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalize(message, for_output=True)
        return messages

    @staticmethod
    def _normalize(message: Message, for_output: bool) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        if has_unsafe(text):
            text = blank_unsafe(text)
            message.set(TEXT, text)
        script = detect_script(text)
        if for_output:
            message.set(SCRIPT, script, add_to_output=True)
            message.set(ORIGINAL_TEXT, text, add_to_output=True)
        if script != "traditional":
            return
        message.set(TEXT, simplify_keeping_offsets(text))
        for entity in message.get(ENTITIES) or []:
            value = entity.get(ENTITY_ATTRIBUTE_VALUE)
            if isinstance(value, str):
                entity[ENTITY_ATTRIBUTE_VALUE] = to_simplified(value)
