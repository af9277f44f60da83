"""Every row of summarizer/rules/tables/*.toml, run through the function that reads it: each `match` sentence
must give the row's value, each `no_match` sentence must not. Generated from the tables, so a new row brings
its own test."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from summarizer.rules.attribution import attribution_of, reports_speech, stance_of
from summarizer.brief.claims import _person_and_body
from summarizer.brief.stories import _real_title
from summarizer.rules.countries import country_code, named_countries
from summarizer.rules.dates import resolve_date
from summarizer.rules.event_status import event_status
from summarizer.rules.event_types import checked_type, is_background
from summarizer.extraction.grounding import claimant_type
from summarizer.rules.names import normalize_name
from summarizer.rules import VERB_COLUMNS, status
from summarizer.rules.load import table
from summarizer.schema import ClaimantType, EventType, Stance
from summarizer.rules.sentences import split_sentences
from summarizer.rules.words import content_words


@dataclass(frozen=True)
class Case:
    id: str
    got: Callable[[], Any]
    want: Any
    equal: bool  # a `match` gives `want`, a `no_match` anything else


def _examples(table: str, row_id: str, value: Any, read: Callable[[str], Any], match: list[str], no_match: list[str]) -> Iterator[Case]:
    for i, text in enumerate(match, 1):
        yield Case(f"{table}:{row_id}:match{i}", lambda t=text: read(t), value, True)
    for i, text in enumerate(no_match, 1):
        yield Case(f"{table}:{row_id}:no_match{i}", lambda t=text: read(t), value, False)


def rows(name: str, section: str) -> list[dict[str, Any]]:
    """The table's rows as written; their keys were checked when the modules above loaded them."""
    return table(name).get(section, [])


# How each verb column reads a sentence: the type check starts from `other`, a type no words name.
_VERB_READERS: dict[str, Callable[[str], Any]] = {
    "speech": reports_speech,
    "attribution": attribution_of,
    "stance": lambda text: stance_of(Stance.assert_, text),
    "event_type": lambda text: checked_type(EventType.other, text),
    # told in the past perfect, yet no background: the reported clause's tense
    "backshift": lambda text: bool(status().past_perfect.search(text)) and not is_background(text),
}


def _verb_cases() -> Iterator[Case]:
    for row in rows("verbs", "verb"):
        for column in (c for c in VERB_COLUMNS if c in row):
            vocab = VERB_COLUMNS[column]
            value = vocab(row[column]) if vocab else True
            no_match = row.get("no_match", {}).get(column, [])
            yield from _examples("verbs", f"{row['verb']}:{column}", value, _VERB_READERS[column], row["match"], no_match)
    for row in rows("verbs", "negation"):
        yield from _examples("verbs", f"negation {row['words']}", Stance.assert_, _VERB_READERS["stance"], row["match"], row.get("no_match", []))


def _status_cases() -> Iterator[Case]:
    for row in rows("status", "status"):
        yield from _examples("status", row["words"], row["status"], lambda t: event_status(t).value, row["match"], row.get("no_match", []))
    for row in rows("status", "negated"):
        yield from _examples("status", f"negated {row['words']}", "occurred", lambda t: event_status(t).value, row["match"], row.get("no_match", []))
    for i, row in enumerate(rows("status", "past_perfect"), 1):
        yield from _examples("status", f"past_perfect{i}", True, is_background, row["match"], row.get("no_match", []))


_PUBLISHED = date(2024, 6, 14)  # the article date the date examples are read against


def _date_cases() -> Iterator[Case]:
    """A `match` sentence's first date is read at the section's precision, a `no_match`'s is not."""
    def precision(text: str) -> str | None:
        return (found := resolve_date(text, _PUBLISHED)) and found.precision.value
    for section, want in (("year_cue", "year"), ("month_cue", "month")):
        for row in rows("dates", section):
            yield from _examples("dates", f"{section} {row['words']}", want, precision, row["match"], row.get("no_match", []))


def _actor_cases() -> Iterator[Case]:
    for row in rows("actors", "actor"):
        name = row["name"]
        yield from _examples("actors", name, name, normalize_name, row["match"], row.get("no_match", []))
        found = lambda text, code=country_code(name): code is not None and code in named_countries(text)  # noqa: E731
        yield from _examples("actors", f"{name}:in_text", True, found, row.get("in_text", []), row.get("not_in_text", []))


def _stopword_cases() -> Iterator[Case]:
    for row in rows("words", "stopword"):
        words, match = set(row["words"]), row["match"]
        kept = lambda w=words, m=match: [x for s in m for x in content_words(s) if x in w]  # noqa: E731
        yield Case(f"words:stopword {row['words'][0]}:dropped", kept, [], True)
        held = {x for s in match for x in re.findall(r"[a-z]+", s.lower())}
        unshown = lambda w=words, h=held: sorted(x for x in w if len(x) > 2 and x not in h)  # noqa: E731
        yield Case(f"words:stopword {row['words'][0]}:every word in a sentence", unshown, [], True)


def _abbreviation_cases() -> Iterator[Case]:
    for row in rows("words", "abbreviation"):
        yield from _examples("words", f"abbreviation {row['words'][0]}", 1, lambda t: len(split_sentences(t)), row["match"], [])
        text = f' {" ".join(row["match"]).lower()} '
        unshown = lambda w=row["words"], t=text: [x for x in w if f" {x}. " not in t]  # noqa: E731
        yield Case(f"words:abbreviation {row['words'][0]}:every word in a sentence", unshown, [], True)


def _sentence_start_cases() -> Iterator[Case]:
    for row in rows("words", "sentence_start"):
        yield from _examples("words", f"sentence_start {row['words'][0]}", 2, lambda t: len(split_sentences(t)), row["match"], [])
        opening = {split_sentences(t)[-1].text.split()[0].strip(",") for t in row["match"]}
        unshown = lambda w=row["words"], o=opening: [x for x in w if x not in o]  # noqa: E731
        yield Case(f"words:sentence_start {row['words'][0]}:every word opens a sentence", unshown, [], True)


# The bodies the spokesperson examples name, as the briefing's entity table would hold them.
_BODIES = {b: b for b in ("state department", "foreign ministry", "white house")}


def _speaker_cases() -> Iterator[Case]:
    for row in rows("speakers", "government"):
        read = lambda t: claimant_type(t, [])  # noqa: E731
        yield from _examples("speakers", f"government {row['words']}", ClaimantType.government_body, read, row["match"], [])
        yield from _examples("speakers", f"government {row['words']}:other", ClaimantType.other, read, row.get("no_match", []), [])
    for row in rows("speakers", "spokesperson"):
        body = lambda t: _person_and_body(t, [], _BODIES)[1] is not None  # noqa: E731
        yield from _examples("speakers", f"spokesperson {row['words']}", True, body, row["match"], row.get("no_match", []))


def _title_cases() -> Iterator[Case]:
    for row in rows("titles", "junk_title"):
        yield from _examples("titles", row["words"], "", _real_title, row["match"], row.get("no_match", []))


CASES = [
    *_verb_cases(), *_status_cases(), *_date_cases(), *_actor_cases(), *_stopword_cases(), *_abbreviation_cases(), *_sentence_start_cases(), *_speaker_cases(), *_title_cases()
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_table_entry(case: Case) -> None:
    got = case.got()
    assert (got == case.want) is case.equal, f"{case.id}: got {got!r}, {'wanted' if case.equal else 'not'} {case.want!r}"
