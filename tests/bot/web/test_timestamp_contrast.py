"""Message times in the web chat and the agent console (and the KPI tiles' notes) are small text: WCAG AA asks
4.5:1 against what they sit on. The colours are read from the stylesheets, so a later change of palette is
checked too."""

from __future__ import annotations

import re

import pytest

from tests.support import ROOT

WEB_CSS = ROOT / "bot" / "web" / "style.css"
CONSOLE_CSS = ROOT / "bot" / "console" / "static" / "console.css"
AA_SMALL_TEXT = 4.5


def _rules(css: str) -> dict[str, dict[str, str]]:
    """selector → {property: value}, later rules overriding earlier ones (top-level rules only)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", css)
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = dict(
            (name.strip(), value.strip()) for name, value in
            (part.split(":", 1) for part in body.split(";") if ":" in part))
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(declarations)
    return rules


def _colour(value: str, variables: dict[str, str]) -> str:
    value = value.split("!")[0].strip()
    found = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if found:
        return _colour(variables[found.group(1)], variables)
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), f"not a plain colour: {value}"
    return value


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-failing grey


def test_web_chat_message_times() -> None:
    rules = _rules(WEB_CSS.read_text(encoding="utf-8"))
    variables = rules[":root"]
    time = _colour(rules[".time"]["color"], variables)
    # A time sits under its bubble, on the message list's background.
    background = _colour(rules[".messages"]["background"], variables)
    assert contrast(time, background) >= AA_SMALL_TEXT, (time, background)


def test_console_message_times_on_every_bubble() -> None:
    rules = _rules(CONSOLE_CSS.read_text(encoding="utf-8"))
    time = _colour(rules[".bubble .who"]["color"], {})
    pane = _colour(rules[".queue-pane"]["background"], {})  # the chat pane's, shared with the queue and context
    backgrounds = {".bubble": _colour(rules[".bubble"]["background"], {})}
    for selector, declarations in rules.items():
        if selector.endswith(".bubble") and "background" in declarations:
            value = declarations["background"]
            backgrounds[selector] = pane if value == "transparent" else _colour(value, {})
    assert len(backgrounds) >= 4  # plain, agent, bot, system
    for selector, background in backgrounds.items():
        assert contrast(time, background) >= AA_SMALL_TEXT, (selector, time, background)


def test_console_kpi_tile_notes() -> None:
    """The notes under a KPI (the target beside the measured share, the counts) are small text on the tile."""
    rules = _rules(CONSOLE_CSS.read_text(encoding="utf-8"))
    note, tile = _colour(rules[".tile-note"]["color"], {}), _colour(rules[".tile"]["background"], {})
    assert contrast(note, tile) >= AA_SMALL_TEXT, (note, tile)
