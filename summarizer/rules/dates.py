"""Event dates resolved in code against the article date ("on Thursday" in an article dated
2024-05-17 is 2024-05-16). The model only copies the words; arithmetic is ours."""

from __future__ import annotations

import re
from datetime import date, timedelta

from summarizer import rules
from summarizer.schema import DatePrecision, EventDate

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())})
WEEKDAYS = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"((?:19|20)\d{2})"

# (pattern, handler name); tried in order, first match wins. Specific before general.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b{_YEAR}-(\d{{2}})-(\d{{2}})\b"), "iso_day"),
    (re.compile(rf"\b{_YEAR}-(\d{{2}})\b"), "iso_month"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b"), "month_day_year"),
    (re.compile(rf"\b{_DAY}\s+{_MONTH},?\s+{_YEAR}\b"), "day_month_year"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!,?\s*\d{{4}})"), "month_day"),
    (re.compile(rf"\b{_DAY}\s+{_MONTH}\b"), "day_month"),
    (re.compile(rf"\b{_MONTH},?\s+{_YEAR}\b"), "month_year"),
    (re.compile(r"\b(today|tonight|this (?:morning|afternoon|evening))\b"), "today"),
    (re.compile(r"\byesterday\b"), "yesterday"),
    (re.compile(r"\btomorrow\b"), "tomorrow"),
    (re.compile(r"\b(\d+|two|three|four|five|six|seven) days ago\b"), "days_ago"),
    (re.compile(r"\b(last|next|this)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"), "weekday"),
    (re.compile(r"\b(last|next|this|earlier this|later this) (week|month|year)\b"), "relative_period"),
    # a bare month or number only after the words that make it a date (rules/tables/dates.toml): "2000 troops"
    (re.compile(rf"\b{rules.date_cue('month_cue')}(?:\s+|-){_MONTH}\b"), "bare_month"),
    (re.compile(rf"\b{rules.date_cue('year_cue')}(?:\s+|-){_YEAR}\b"), "year"),
]
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _day(d: date) -> EventDate:
    return EventDate(value=d.isoformat(), precision=DatePrecision.day)


def _month(year: int, month: int) -> EventDate:
    return EventDate(value=f"{year:04d}-{month:02d}", precision=DatePrecision.month)


def _year(year: int) -> EventDate:
    return EventDate(value=f"{year:04d}", precision=DatePrecision.year)


def _safe_day(year: int, month: int, day: int) -> EventDate | None:
    try:
        return _day(date(year, month, day))
    except ValueError:
        return None


def _year_for(month: int, day: int, ref: date) -> int:
    """Year of a yearless date: news reports the recent past, so a date well after `ref` is last year's."""
    try:
        return ref.year - 1 if date(ref.year, month, day) > ref + timedelta(days=31) else ref.year
    except ValueError:
        return ref.year


def _resolve(kind: str, g: tuple[str, ...], ref: date | None) -> EventDate | None:
    if kind == "iso_day":
        return _safe_day(int(g[0]), int(g[1]), int(g[2]))
    if kind == "iso_month":
        return _month(int(g[0]), int(g[1])) if 1 <= int(g[1]) <= 12 else None
    if kind == "month_day_year":
        return _safe_day(int(g[2]), MONTHS[g[0][:3]], int(g[1]))
    if kind == "day_month_year":
        return _safe_day(int(g[2]), MONTHS[g[1][:3]], int(g[0]))
    if kind == "month_year":
        return _month(int(g[1]), MONTHS[g[0][:3]])
    if kind == "year":
        return _year(int(g[0]))
    if ref is None:  # everything below is relative to the article date
        return None
    if kind in ("month_day", "day_month"):
        month, day = (MONTHS[g[0][:3]], int(g[1])) if kind == "month_day" else (MONTHS[g[1][:3]], int(g[0]))
        return _safe_day(_year_for(month, day, ref), month, day)
    if kind == "bare_month":
        month = MONTHS[g[0][:3]]
        return _month(ref.year - 1 if month > ref.month else ref.year, month)
    if kind == "today":
        return _day(ref)
    if kind == "yesterday":
        return _day(ref - timedelta(days=1))
    if kind == "tomorrow":
        return _day(ref + timedelta(days=1))
    if kind == "days_ago":
        n = int(g[0]) if g[0].isdigit() else _NUMBER_WORDS[g[0]]
        return _day(ref - timedelta(days=n))
    if kind == "weekday":
        return _weekday(g[0], WEEKDAYS[g[1]], ref)
    if kind == "relative_period":
        return _period(g[0], g[1], ref)
    return None


def _weekday(modifier: str | None, weekday: int, ref: date) -> EventDate:
    if modifier == "next":
        return _day(ref + timedelta(days=(weekday - ref.weekday() - 1) % 7 + 1))
    # "on Thursday" / "last Thursday": the most recent such day, the article's own day included
    back = (ref.weekday() - weekday) % 7
    if modifier == "last" and back == 0:
        back = 7
    return _day(ref - timedelta(days=back))


def _period(modifier: str, unit: str, ref: date) -> EventDate:
    step = {"last": -1, "next": 1}.get(modifier, 0)
    if unit == "year":
        return _year(ref.year + step)
    if unit == "week":
        d = ref + timedelta(weeks=step)
        return _month(d.year, d.month)  # a week is vaguer than a day: month precision
    month_index = ref.year * 12 + ref.month - 1 + step
    return _month(month_index // 12, month_index % 12 + 1)


def resolve_date(expression: str, published: date | None) -> EventDate | None:
    """The first date expression in `expression`, resolved; None if there is none we understand."""
    text = expression.lower()
    for pattern, kind in _PATTERNS:
        match = pattern.search(text)
        if match:
            resolved = _resolve(kind, match.groups(), published)
            if resolved is not None:
                return resolved.model_copy(update={"text": expression[match.start() : match.end()].strip()})
            if published is None:
                return EventDate(precision=DatePrecision.unknown, text=expression[match.start() : match.end()].strip())
    return None


def event_date(when: str, evidence: list[str], published: date | None) -> EventDate:
    """The model's `when` first; failing that, the first date words in the cited sentences."""
    resolved = resolve_date(when, published) if when else None
    if resolved is not None:
        return resolved.model_copy(update={"text": when.strip()})
    for sentence in evidence:
        resolved = resolve_date(sentence, published)
        if resolved is not None:
            return resolved
    return EventDate(precision=DatePrecision.unknown, text=when)
