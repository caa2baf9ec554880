"""Rasa's jieba tokenizer without jieba's HMM guesser of unknown words.

With the HMM on (Rasa's JiebaTokenizer cannot turn it off) jieba glues runs of single characters it does not
know into one "new word": 寄书去, 能寄刀, 粮去, 寄一 (公斤), 中要. An item or a place inside such a token can never
be labelled: training warned about it ("Misaligned entity annotation") and DIET never saw 书, 酒, 药 or 刀 as items,
nor could it find them in a customer's message. Without the HMM an unknown run stays single characters, and the
words of the dictionaries (jieba's own and bot/nlu/dictionary/) stay words. The character n-gram features
carry what the glued "words" did for intents.

The user dictionaries are loaded, copied into the model and loaded back exactly as by Rasa's tokenizer.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class DictionaryJiebaTokenizer(JiebaTokenizer):
    """jieba by its dictionaries only (HMM off); otherwise Rasa's JiebaTokenizer."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = message.get(attribute)
        tokens = [Token(word, start) for word, start, _end in jieba.tokenize(text, HMM=False)]
        return self._apply_token_pattern(tokens)
