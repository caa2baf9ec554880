"""The FAQ selector answers FAQ questions and leaves every other intent alone (no second transformer run)."""

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.faq_selector import FaqResponseSelector, asks_retrieval_intent

EXAMPLES = [
    ("what can't I send", "faq", "prohibited_items"),
    ("forbidden items list", "faq", "prohibited_items"),
    ("can I send batteries", "faq", "prohibited_items"),
    ("when do you open", "faq", "service_hours"),
    ("opening hours please", "faq", "service_hours"),
    ("are you open on sunday", "faq", "service_hours"),
    ("where is my parcel", "track_parcel", None),
    ("track my parcel please", "track_parcel", None),
]


def _message(text: str, intent: str, response: str | None) -> Message:
    data = {"text": text, "intent": intent}
    if response:
        data["intent_response_key"] = f"{intent}/{response}"
    return Message(data=data)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("faq-selector"))
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage, Resource("t"), context)
    featurizer = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("f"), context
    )
    data = TrainingData([_message(*example) for example in EXAMPLES])
    data.responses = {
        "utter_faq/prohibited_items": [{"text": "No fireworks, please."}],
        "utter_faq/service_hours": [{"text": "Open 8:00–20:00."}],
    }
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    config = {**FaqResponseSelector.get_default_config(), "retrieval_intent": "faq", "epochs": 1}
    selector = FaqResponseSelector.create(config, storage, Resource("s"), context)
    selector.train(data)

    def parse(text: str, intent: str) -> Message:
        message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9}})
        tokenizer.process([message])
        featurizer.process([message])
        selector.process([message])
        return message

    return parse


def test_a_faq_question_gets_a_selected_answer(trained):
    message = trained("can I send fireworks", "faq")
    selected = message.get("response_selector")["faq"]["response"]
    assert selected["intent_response_key"].startswith("faq/")


def test_other_intents_are_not_run_through_the_selector(trained):
    message = trained("where is my parcel", "track_parcel")
    assert message.get("response_selector") is None


def test_a_selector_without_a_retrieval_intent_selects_for_everything():
    message = Message(data={"text": "x", "intent": {"name": "greet"}})
    assert asks_retrieval_intent(message, None)
    assert not asks_retrieval_intent(message, "faq")
