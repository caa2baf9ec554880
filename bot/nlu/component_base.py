"""What every custom NLU step of this pipeline shares: built from its config, nothing trained or persisted.

Rasa needs `create`, a default config and the supported languages from each graph component; the custom steps
here all answer them the same way (Chinese only, no training, so `load` is Rasa's default: `create` again).
A subclass keeps only its own job (`process`, maybe `process_training_data`) and, when it has options,
`get_default_config`. Subclasses are registered with `DefaultV1Recipe.register` themselves; this base is not a
pipeline component and is never named in config.yml.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class ChineseNluComponent(GraphComponent):
    """A stateless pipeline step for Chinese text; `self.config` is its defaults merged with config.yml."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseNluComponent:
        return cls(config)

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["zh"]
