"""The code rules' word lists as data: `tables/*.toml`, read and compiled here once, each row with the sentences
it must (and must not) match; `tests/test_rules_tables.py` runs every one through the function that reads it.
The tuned numbers are in `thresholds.py`; README.md says what each table does and why.

Rules sit just above schema and errors: nothing here imports the modules that use them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from summarizer.schema import Attribution, EventStatus, EventType, Stance
from summarizer.rules.load import RulesError, checked, rows, table, words_pattern

Pattern = re.Pattern[str]

# The verb table's columns and the vocabulary each one's values come from (None: a yes, `true` or left out).
VERB_COLUMNS: dict[str, type | None] = {
    "speech": None, "attribution": Attribution, "stance": Stance, "event_type": EventType, "backshift": None
}
_VERB_KEYS = {"verb", "words", "case_sensitive", *VERB_COLUMNS, *(f"{c}_words" for c in VERB_COLUMNS)}


@dataclass(frozen=True)
class Verbs:
    speech: Pattern  # an event note in these words is someone speaking
    attribution: tuple[tuple[Pattern, Attribution], ...]  # in order: the first found decides
    stance: tuple[tuple[Pattern, Stance], ...]  # in order: the first used, not negated, decides
    event_types: dict[EventType, Pattern]  # in order: on a tie the earlier type wins
    negated: Pattern  # searched in the text before a stance cue: it ends so when the cue is negated
    backshift: Pattern  # a past perfect after these words is reported speech's tense, not background


def _column_words(verbs: list[dict[str, Any]], column: str, value: object = True) -> list[tuple[str, bool]]:
    """The (words, case-sensitive) of the rows whose `column` is `value`, in table order."""
    return [(row.get(f"{column}_words", row["words"]), row.get("case_sensitive", False)) for row in verbs if row.get(column) == value]


def _by_value(verbs: list[dict[str, Any]], column: str) -> list[tuple[Pattern, str]]:
    """One pattern per value of `column`, in the table's [order]; every value used is ordered, every ordered one used
    (an empty alternation would match everywhere)."""
    order = table("verbs")["order"][column]
    for row in verbs:
        if column in row:
            checked(row[column], order, f"verbs.toml {row['verb']!r} {column}")
    patterns = []
    for value in order:
        if not (words := _column_words(verbs, column, value)):
            raise RulesError(f"rules/tables/verbs.toml: [order] {column} {value!r} has no row")
        patterns.append((words_pattern(words), value))
    return patterns


@cache
def verbs() -> Verbs:
    verb_rows = rows("verbs", "verb", _VERB_KEYS)
    for column in (c for c, vocab in VERB_COLUMNS.items() if vocab is None):
        if wrong := [row["verb"] for row in verb_rows if row.get(column, True) is not True]:
            raise RulesError(f"rules/tables/verbs.toml: {column} is `true` or left out, not so in {wrong}")
    if wrong := [row["verb"] for row in verb_rows if set(row.get("no_match", {})) - set(row)]:
        raise RulesError(f"rules/tables/verbs.toml: no_match.<column> names a column the row lacks in {wrong}")
    negations = rows("verbs", "negation", {"words"})
    return Verbs(
        speech=words_pattern(_column_words(verb_rows, "speech")),
        attribution=tuple((p, Attribution(v)) for p, v in _by_value(verb_rows, "attribution")),
        stance=tuple((p, Stance(v)) for p, v in _by_value(verb_rows, "stance")),
        event_types={EventType(v): p for p, v in _by_value(verb_rows, "event_type")},
        negated=words_pattern([(row["words"], False) for row in negations], r"\b(?:{})\s+(?:\w+ly\s+)?$"),
        backshift=words_pattern(_column_words(verb_rows, "backshift")),
    )


@dataclass(frozen=True)
class Status:
    cues: tuple[tuple[Pattern, EventStatus], ...]  # in order: the first found decides, else occurred
    negated: Pattern  # a cue inside these words ("will not", "no plans to") counts for nothing
    past_perfect: Pattern  # an action told so is the story's background


@cache
def status() -> Status:
    cues = rows("status", "status", {"words", "status"})
    order = table("status")["order"]
    for row in cues:
        checked(row["status"], order, f"status.toml {row['words']!r}")
    background = rows("status", "past_perfect", {"pattern"})
    return Status(
        cues=tuple((words_pattern((r["words"], False) for r in cues if r["status"] == value), EventStatus(value)) for value in order),
        negated=words_pattern((r["words"], False) for r in rows("status", "negated", {"words"})),
        past_perfect=re.compile("|".join(r["pattern"] for r in background), re.I),
    )


@dataclass(frozen=True)
class Actors:
    aliases: dict[str, str]  # normalized variant -> the one name
    iso3: dict[str, str]  # name -> code, where ISO 3166 names the country otherwise
    forms: frozenset[str]  # countries as running text writes them besides ISO's names


_ACTOR_KEYS = {"name", "aliases", "iso3", "forms", "in_text", "not_in_text"}


@cache
def actors() -> Actors:
    found = rows("actors", "actor", _ACTOR_KEYS)
    return Actors(
        aliases={alias: row["name"] for row in found for alias in row["aliases"]},
        iso3={row["name"]: row["iso3"] for row in found if "iso3" in row},
        forms=frozenset(form for row in found for form in row.get("forms", [])),
    )


def _word_set(section: str, keys: frozenset[str] = frozenset({"words"}), only: str | None = None) -> frozenset[str]:
    """The words of the section's rows (of those whose `only` key is true, when given)."""
    return frozenset(word for row in rows("words", section, keys) if only is None or row.get(only) for word in row["words"])


@cache
def stopwords() -> frozenset[str]:
    return _word_set("stopword")


_ABBREVIATION_KEYS = frozenset({"words", "title"})


@cache
def abbreviations() -> frozenset[str]:
    return _word_set("abbreviation", _ABBREVIATION_KEYS)


@cache
def titles() -> frozenset[str]:
    """The abbreviations a name follows: a capital after them opens no sentence."""
    return _word_set("abbreviation", _ABBREVIATION_KEYS, only="title")


@cache
def sentence_starts() -> frozenset[str]:
    return _word_set("sentence_start")


@cache
def date_cue(section: str) -> str:
    """A regex fragment (lowercase text, no flags) for the words that make the bare year (`year_cue`) or month
    (`month_cue`) after them a date."""
    return "(?:{})".format("|".join(r["words"] for r in rows("dates", section, {"words"})))


@cache
def government_words() -> Pattern:
    """A claimant named in these words is a government body."""
    return words_pattern((r["words"], False) for r in rows("speakers", "government", {"words"}))


@cache
def spokesperson_role() -> str:
    """A regex fragment (no flags: its callers set them) for the roles that speak for the body named before them."""
    return "(?:{})".format("|".join(r["words"] for r in rows("speakers", "spokesperson", {"words"})))


@cache
def junk_title() -> Pattern:
    """A page title that names no article begins so."""
    return words_pattern(((r["words"], False) for r in rows("titles", "junk_title", {"words"})), r"^(?:{})\b")
