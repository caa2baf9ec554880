"""Personal data never reaches a log line: the shared masking rules, the record filter and the process-wide hook
that Rasa, the action server and the backend install (issue 13, finding 10)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

import pytest

from bot.pii import PiiMaskFilter, mask_text
from bot.settings import ROOT

pytestmark = pytest.mark.security

FULL_NUMBERS = ("13812345678", "13900001111", "0912345678", "91234567", "23456789", "110105194912310021",
                "62345678")


@pytest.mark.parametrize(("text", "hidden", "kept"), [
    ("我的手机号是13812345678", "13812345678", "138****5678"),
    ("+86 139-0000-1111", "0000", "139****1111"),
    ("008613812345678", "12345678", "138****5678"),
    ("座机 021-62345678", "62345678", "021-****5678"),
    ("北京 010 1234 5678", "1234 5678", "****5678"),
    ("台灣手機 0912-345-678", "345", "678"),
    ("台灣 +886 912 345 678", "912 345", "678"),
    ("台北 02-2345-6789", "2345", "6789"),
    ("香港 +852 2345 6789", "2345 6789", "6789"),
    ("香港手機 9123 4567", "9123", "4567"),
    ("身份证 110105194912310021", "1949123100", "0021"),
    ("身份證 11010519491231002X", "1949123100", "002X"),
    ("地址是上海市浦东新区张江路123号5栋", "张江路123号", "上海市浦东新区"),
    ("送到阳光小区3栋2单元501室", "3栋2单元501", "***"),
])
def test_mask_text_hides_personal_data(text: str, hidden: str, kept: str) -> None:
    masked = mask_text(text)
    assert hidden not in masked
    assert kept in masked


@pytest.mark.parametrize("text", [
    "单号 ZT100000000001 和 SF1234567890123", "工单 CP20261123001 / CL20261123001", "日期 20261206 金额 35000",
    "sender f0123456789abcdef model 20261206-072756-brave.tar.gz", "127.0.0.1:58123", "明天6号下午3点送到",
])
def test_mask_text_leaves_other_numbers_alone(text: str) -> None:
    assert mask_text(text) == text


def test_mask_text_is_linear_on_a_huge_line() -> None:
    import time

    started = time.perf_counter()
    mask_text("长" * 200_000 + "路1号" * 20_000)
    assert time.perf_counter() - started < 3


def test_filter_masks_message_arguments_extras_and_traceback() -> None:
    try:
        raise ValueError("duplicate contact_phone 13712345678 at 张江路123号")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("rasa.core", logging.ERROR, __file__, 1, "slots %s %r for 0912345678",
                               ("13812345678", {"phone": "13900001111"}), exc_info)
    record.request = "GET /conversations/13612345678/tracker"  # Sanic's access log passes it as an extra
    PiiMaskFilter().filter(record)
    text = logging.Formatter("%(message)s %(request)s").format(record)
    for number in ("13812345678", "13900001111", "0912345678", "13612345678", "13712345678", "张江路123号"):
        assert number not in text
    assert "138****5678" in text and "139****1111" in text and "136****5678" in text


def test_filter_masks_json_with_escaped_chinese() -> None:
    """Rasa's structlog events are JSON with non-ASCII escaped: the address must not slip through as \\uXXXX."""
    import json

    rendered = json.dumps({"event": "processor.message.parse", "text": "地址是上海市浦东新区张江路123号，电话13812345678",
                           "quote": 'a"b'})
    record = logging.LogRecord("rasa.core.processor", logging.DEBUG, __file__, 1, rendered, None, None)
    PiiMaskFilter().filter(record)
    shown = record.getMessage()
    assert "张江路" not in shown and "\\u5f20\\u6c5f\\u8def" not in shown and "13812345678" not in shown
    assert json.loads(shown) == {"event": "processor.message.parse", "text": "地址是上海市浦东新区***，电话138****5678",
                                 "quote": 'a"b'}


def test_filter_keeps_uvicorn_access_arguments_unpackable() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/api/v1/customers/13812345678", "1.1", 200), None)
    PiiMaskFilter().filter(record)
    client, method, path, version, status = record.args
    assert path == "/api/v1/customers/138****5678" and status == 200


_PROCESS_SCRIPT = textwrap.dedent("""
    import logging, logging.config, sys, threading
    from bot.log_masking import install
    install()
    # What happens after install() in Rasa's and the action server's processes: Sanic replaces the logging
    # configuration, Rasa adds coloredlogs and a log file, third-party loggers log through root.
    from sanic.log import LOGGING_CONFIG_DEFAULTS
    logging.config.dictConfig(LOGGING_CONFIG_DEFAULTS)
    import coloredlogs
    coloredlogs.install(level="DEBUG", stream=sys.stdout)
    logging.getLogger("rasa").addHandler(logging.FileHandler(sys.argv[1]))
    logging.getLogger("rasa.core.processor").debug("Received user message '我的手机号是13812345678' with intent")
    logging.getLogger("rasa_sdk.executor").info("slots %s", {"sender_phone": "13900001111"})
    logging.getLogger("urllib3").warning("GET /api/v1/customers/0912345678")
    logging.getLogger("sanic.access").info("", extra={"status": 200, "byte": 2, "host": "h",
                                                      "request": "GET /by-phone/91234567"})
    logging.getLogger("sanic.error").error("id card %s", "110105194912310021")
    try:
        raise RuntimeError("landline 021-62345678")
    except RuntimeError:
        logging.getLogger("sanic.root").exception("request failed")
    logging.getLogger("nobody.configured.this").addHandler(logging.NullHandler())
    logging.lastResort.handle(logging.makeLogRecord({"msg": "+852 2345 6789", "levelno": 40}))

    def worker():
        raise KeyError("phone 13900001111")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    raise KeyError("phone 13812345678")
""")


def test_every_handler_of_a_process_masks_after_install(tmp_path) -> None:
    """A real process: handlers created after install() by Sanic, coloredlogs and Rasa's --log-file mask too,
    and so do uncaught exceptions in the main and other threads."""
    log_file = tmp_path / "rasa.log"
    result = subprocess.run([sys.executable, "-c", _PROCESS_SCRIPT, str(log_file)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    output = result.stdout + result.stderr + log_file.read_text(encoding="utf-8")
    assert "Received user message" in output and "request failed" in output and "KeyError" in output
    for number in FULL_NUMBERS:
        assert number not in output, f"{number} in\n{output}"
    assert "138****5678" in output and "021-****5678" in output
