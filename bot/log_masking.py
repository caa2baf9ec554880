"""Personal data masked in every log line a process writes: `install()` at the top of each process's main().

Masking on the root logger's handlers alone is not enough here: Sanic replaces the logging configuration when
Rasa's and the action server's apps are created, Rasa adds coloredlogs and `--log-file` handlers later, and
Sanic's own loggers do not propagate to root. So every handler's `handle` masks the record before its
filters and `emit` run, whenever and by whom the handler was made (including `logging.lastResort`). Exceptions
that never reach logging (an uncaught one in the main or a worker thread) are masked by the excepthooks.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType
from typing import Any

from bot.pii import PiiMaskFilter, mask_record, mask_text

_INSTALLED_FLAG = "_courier_pii_masking"


def install() -> None:
    """Mask phones, ID-card numbers and addresses in every log record and uncaught traceback (idempotent)."""
    if getattr(logging.Handler.handle, _INSTALLED_FLAG, False):
        return
    unmasked_handle = logging.Handler.handle

    def handle(self: logging.Handler, record: logging.LogRecord) -> Any:
        mask_record(record)
        return unmasked_handle(self, record)

    setattr(handle, _INSTALLED_FLAG, True)
    logging.Handler.handle = handle  # type: ignore[method-assign]
    for handler in logging.getLogger().handlers:
        if not any(isinstance(existing, PiiMaskFilter) for existing in handler.filters):
            handler.addFilter(PiiMaskFilter())
    sys.excepthook = _masked_excepthook
    threading.excepthook = _masked_thread_excepthook


def installed() -> bool:
    return bool(getattr(logging.Handler.handle, _INSTALLED_FLAG, False))


def _masked_excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    sys.stderr.write(mask_text("".join(traceback.format_exception(kind, value, tb))))


def _masked_thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread else threading.get_ident()
    text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    sys.stderr.write(mask_text(f"Exception in thread {name}:\n{text}"))
