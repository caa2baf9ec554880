"""Each action test's own outbox. The real backend the actions talk to (`backend_url`, `client`, `dead_client`,
`api`) is started by tests/conftest.py, which the backend client's tests (tests/bot/clients) share.

Actions are called directly (real `CollectingDispatcher`, `Tracker` built from events) and talk to that
backend over HTTP through the real client; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.deferred_writes import set_outbox
from bot.outbox import Outbox


@pytest.fixture(autouse=True)
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    """Each test's own outbox file (actions keep confirmed writes there when the backend is down)."""
    box = Outbox(f"sqlite:///{tmp_path / 'outbox.db'}")
    set_outbox(box)
    yield box
    set_outbox(None)
    box.dispose()
