"""When the customer wants something done: relative days and time windows as they are typed in chat.

"后天上午10点到12点", "周六下午三点前", "今晚", "明天下午", "8号下午两点半", "下个工作日" — found inside a longer
message, kept as written (that is what the courier reads) and resolved to a day and hours for the summary.
Working days and public holidays (with 调休) come from the `chinese-calendar` package, which follows the State
Council's yearly notice; for a year it does not know yet, Monday to Friday are working days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from bot.vocabulary.numerals import parse_number
from bot.vocabulary.script import to_simplified

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "今儿": 0, "当天": 0, "今早": 0, "今晚": 0, "今夜": 0,
                  "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3}
# Parts of the day and the hours a courier reads them as.
_PARTS = {
    "凌晨": (5, 8), "早上": (8, 10), "早晨": (8, 10), "一早": (8, 10), "今早": (8, 10), "明早": (8, 10),
    "上午": (9, 12), "中午": (11, 14), "午饭后": (13, 15), "下午": (13, 18), "午后": (13, 18),
    "傍晚": (17, 19), "下班后": (18, 21), "晚上": (18, 21), "晚间": (18, 21), "夜里": (19, 22),
    "今晚": (18, 21), "明晚": (18, 21), "今夜": (18, 21), "白天": (9, 18),
}
_AFTERNOON = {"下午", "午后", "傍晚", "晚上", "晚间", "夜里", "今晚", "明晚", "今夜", "下班后", "午饭后"}
_HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节", "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节", "National Day": "国庆节", "Mid-autumn Festival": "中秋节",
}
_WEEKDAY_TEXT = "一二三四五六日"
_EARLIEST_BARE_HOUR = 8

_NUM = r"(?:\d{1,2}|[零一二两三四五六七八九十]{1,3})"
_CLOCK = rf"{_NUM}\s*(?:点|时|[:：]\d{{2}})(?:半|钟|一刻|三刻|\d{{1,2}}分?|[零一二三四五]?十?[一二三四五六七八九]?分)?"
# Tokens that make up a time expression, longest first inside each alternative.
_TOKENS = [
    ("asap", r"越快越好|尽快|尽早|马上|现在|立刻|随时|今天之内|今天内|当天内"),
    ("workday", r"下个工作日|下一个工作日|工作日"),
    ("relative", r"大后天|后天|明天|明日|明儿|明早|明晚|今天|今日|今儿|今早|今晚|今夜|当天"),
    ("weekday", r"(?:下下|下|这|本)?(?:个)?(?:周|星期|礼拜)[一二三四五六日天1-7]|周末"),
    ("date", rf"{_NUM}月{_NUM}[日号]|(?<![路街道巷弄栋楼幢座室元门层区村里号#\d]){_NUM}[日号](?=\s*(?:上午|下午|中午|晚上|早上|傍晚|{_NUM}\s*[点时]))"),
    ("part", "|".join(sorted((p for p in _PARTS if p not in _RELATIVE_DAYS), key=len, reverse=True))),
    ("clock", _CLOCK),
    ("range", rf"(?:到|至|-|~|～|—|－)(?=\s*(?:上午|下午|中午|晚上)?\s*{_NUM}\s*(?:点|时|[:：]))"),
    ("limit", r"之前|以前|前|之后|以后|后|左右|前后|都行|都可以|均可"),
    ("glue", r"[的\s]"),
]
_TOKEN_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _TOKENS))
_STARTS = {"asap", "workday", "relative", "weekday", "date", "part", "clock"}
# "快一点", "便宜点", "大一点": a bare 一点 after such a word is "a little", not one o'clock.
_A_LITTLE = re.compile(r"[快慢早晚大小多少便宜贵轻重近远好]\s*(?:一)?点$")


@dataclass(frozen=True)
class TimeWindow:
    """A time the customer named: the words as written and, where they say it, the day and hours."""

    text: str
    start: int
    end: int
    day: date | None = None
    from_hour: float | None = None
    to_hour: float | None = None
    asap: bool = False


def is_working_day(day: date) -> bool:
    """The official working-day calendar (holidays and 调休 make-up days); weekdays for a year not yet published."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def holiday_name(day: date) -> str | None:
    """"国庆节" for a statutory holiday, None for other days (and years the calendar does not know)."""
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if not on_holiday or name is None:
        return None
    english = getattr(name, "value", name)
    return _HOLIDAY_NAMES.get(str(english), str(english))


def next_working_day(day: date) -> date:
    current = day + timedelta(days=1)
    while not is_working_day(current):
        current += timedelta(days=1)
    return current


def _hour(clock: str) -> float | None:
    match = re.match(rf"({_NUM})\s*(?:点|时|[:：](\d{{2}}))(.*)", clock)
    if not match:
        return None
    value = parse_number(match.group(1))
    if value is None or value > 24:
        return None
    minutes = 0.0
    rest = match.group(3) or ""
    if match.group(2):
        minutes = float(match.group(2))
    elif rest.startswith("半"):
        minutes = 30
    elif rest.startswith("一刻"):
        minutes = 15
    elif rest.startswith("三刻"):
        minutes = 45
    elif rest:
        number = parse_number(rest.rstrip("分"))
        minutes = number if number is not None and number < 60 else 0
    return value + minutes / 60


def _day_of(kind: str, token: str, today: date) -> date | None:
    if kind == "relative":
        return today + timedelta(days=_RELATIVE_DAYS[token])
    if kind == "workday":
        return next_working_day(today) if "下" in token else (today if is_working_day(today)
                                                             else next_working_day(today))
    if kind == "weekday":
        if token == "周末":
            return today + timedelta(days=(5 - today.weekday()) % 7)
        target = _WEEKDAYS[token[-1]]
        monday = today - timedelta(days=today.weekday())
        weeks = token.count("下")
        day = monday + timedelta(weeks=weeks, days=target)
        return day + timedelta(weeks=1) if weeks == 0 and day < today else day
    if kind == "date":
        numbers = [parse_number(n) for n in re.findall(_NUM, token)]
        if any(n is None for n in numbers):
            return None
        month, dom = (int(numbers[0]), int(numbers[1])) if len(numbers) == 2 else (today.month, int(numbers[0]))
        try:
            day = date(today.year, month, dom)
        except ValueError:
            return None
        if day < today:
            try:
                day = date(today.year + 1, month, dom) if len(numbers) == 2 else (
                    date(today.year + (today.month == 12), today.month % 12 + 1, dom))
            except ValueError:
                return None
        return day
    return None


def _runs(text: str) -> list[list[tuple[str, str, int, int]]]:
    """Runs of adjacent time tokens: [(kind, token, start, end), …]."""
    runs: list[list[tuple[str, str, int, int]]] = []
    current: list[tuple[str, str, int, int]] = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match and match.end() > position:
            kind = match.lastgroup or ""
            if current or kind in _STARTS:
                current.append((kind, match.group(0), match.start(), match.end()))
            position = match.end()
            continue
        if current:
            runs.append(current)
            current = []
        position += 1
    if current:
        runs.append(current)
    return runs


def _trim(run: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    while run and run[-1][0] in ("glue", "range"):
        run = run[:-1]
    return run


def _resolve(run: list[tuple[str, str, int, int]], text: str, today: date) -> TimeWindow | None:
    run = _trim(run)
    kinds = [kind for kind, *_ in run]
    if not run or not (set(kinds) & _STARTS):
        return None
    start, end = run[0][2], run[-1][3]
    written = text[start:end]
    if kinds == ["clock"] and not re.search(r"\d", written) and _A_LITTLE.search(text[max(0, start - 2):end]):
        return None
    day: date | None = None
    part: str | None = None
    hours: list[float] = []
    until = False
    after = False
    asap = False
    for kind, token, *_ in run:
        if kind in ("relative", "weekday", "date", "workday") and day is None:
            day = _day_of(kind, token, today)
        if kind == "relative" and token in _PARTS:
            part = token
        if kind == "part":
            part = token
        if kind == "clock":
            hour = _hour(token)
            if hour is not None:
                hours.append(hour)
        if kind == "limit":
            until = until or token in ("之前", "以前", "前")
            after = after or token in ("之后", "以后", "后")
        if kind == "asap":
            asap = True
            day = day or today
    if part in _AFTERNOON:
        hours = [h + 12 if h < 12 and not (part in ("中午", "午饭后") and h >= 11) else h for h in hours]
    elif part is None:
        # couriers come between 8:00 and 21:00: a bare "两点" or "三点到五点" is in the afternoon
        hours = [h + 12 if h < _EARLIEST_BARE_HOUR else h for h in hours]
    default = _PARTS.get(part or "")
    from_hour = to_hour = None
    if len(hours) >= 2:
        from_hour, to_hour = hours[0], hours[1]
    elif len(hours) == 1 and until:
        from_hour, to_hour = (default[0] if default else None), hours[0]
    elif len(hours) == 1:
        from_hour, to_hour = hours[0], (default[1] if after and default else None)
    elif default:
        from_hour, to_hour = default
    return TimeWindow(written, start, end, day, from_hour, to_hour, asap)


def find_time_window(text: str, today: date | None = None) -> TimeWindow | None:
    """The first time expression in `text` (Simplified or Traditional), or None when it names no time."""
    simplified = to_simplified(text or "")
    for run in _runs(simplified):
        window = _resolve(run, simplified, today or date.today())
        if window:
            return window
    return None


def _clock_text(hour: float) -> str:
    whole = int(hour)
    minutes = round((hour - whole) * 60)
    return f"{whole}:{minutes:02d}"


def describe(window: TimeWindow) -> str:
    """"12月8日周二 10:00-12:00" — the resolved window as the summary shows it, "" when nothing resolves."""
    parts: list[str] = []
    if window.day:
        label = f"{window.day.month}月{window.day.day}日周{_WEEKDAY_TEXT[window.day.weekday()]}"
        holiday = holiday_name(window.day)
        parts.append(label + (f"（{holiday}）" if holiday else ""))
    if window.from_hour is not None and window.to_hour is not None:
        parts.append(f"{_clock_text(window.from_hour)}-{_clock_text(window.to_hour)}")
    elif window.to_hour is not None:
        parts.append(f"{_clock_text(window.to_hour)}前")
    elif window.from_hour is not None:
        parts.append(f"{_clock_text(window.from_hour)}起")
    return " ".join(parts)
