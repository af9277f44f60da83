"""The timeline: the same real-world event reported by two articles becomes one entry citing both.

Matching reuses the eval's one-to-one alignment and similarities (`match/align.py`), with vetoes a briefing
needs on top (a wrong merge hides an event; a missed one only shows it twice): events whose dates disagree at
the coarser precision, done by different countries, or described in different words are never the same
event, and an event that fits two entries about equally well is left on its own rather than guessed. The
merge thresholds, with the measurements that set them, are in rules/thresholds.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process, utils

from summarizer.brief.inputs import Source
from summarizer.brief.models import TimelineEntry, citation
from summarizer.match.align import align, canonical, dates_compatible, event_similarities, same_name
from summarizer.rules.thresholds import AMBIGUITY_MARGIN, MERGE_MIN_TEXT, MERGE_THRESHOLD, MERGE_THRESHOLD_OTHER_TYPE
from summarizer.schema import ActorRole, DatePrecision, Event, EventDate

if TYPE_CHECKING:
    import numpy as np

_PRECISION_RANK = {DatePrecision.day: 3, DatePrecision.month: 2, DatePrecision.year: 1, DatePrecision.unknown: 0}


@dataclass
class EntryCluster:
    members: list[tuple[int, Event]]  # (source n, event)

    def best(self) -> Event:
        """The member that says the most about when: the most precise date, then the earliest source."""
        return max(self.members, key=lambda m: (_PRECISION_RANK[m[1].date.precision], -m[0]))[1]


def _agents(event: Event) -> list[str]:
    return [a.name for a in event.actors if a.role is ActorRole.agent]


def _other_countries(a: Event, b: Event, aliases: dict[str, str], countries: set[str]) -> bool:
    """Both events are done by countries, and by different ones (Iran's drones are not North Korea's missiles)."""
    agents_a, agents_b = _agents(a), _agents(b)
    if not agents_a or not agents_b:
        return False
    if not all(canonical(n, aliases) in countries for n in agents_a + agents_b):
        return False
    return not any(same_name(x, y, aliases) for x in agents_a for y in agents_b)


def _entry_matrix(events: list[Event], entries: list[EntryCluster], aliases: dict[str, str], countries: set[str]) -> np.ndarray:
    """Similarity of each new event to each entry: the best over the entry's members; zero when a member's
    date contradicts the event's, when different countries did them, or when the descriptions differ; a
    stricter bar when the types differ."""
    import numpy as np  # here: every command's start-up would pay ~0.25 s for it

    members = [(k, ev) for k, entry in enumerate(entries) for _, ev in entry.members]
    raw = event_similarities(events, [ev for _, ev in members], aliases=aliases)
    text = process.cdist(
        [e.description for e in events], [ev.description for _, ev in members], scorer=fuzz.token_set_ratio, processor=utils.default_process
    ) / 100.0
    matrix = np.zeros((len(events), len(entries)), dtype=np.float32)
    vetoed = np.zeros_like(matrix, dtype=bool)
    for col, (k, member) in enumerate(members):
        for i, event in enumerate(events):
            score = float(raw[i, col])
            if dates_compatible(event.date, member.date) is False or _other_countries(event, member, aliases, countries):
                vetoed[i, k] = True
            if text[i, col] < MERGE_MIN_TEXT or (event.type != member.type and score < MERGE_THRESHOLD_OTHER_TYPE):
                score = 0.0
            matrix[i, k] = max(matrix[i, k], score)
    matrix[vetoed] = 0.0
    return matrix


def _unambiguous(matrix: np.ndarray, row: int, col: int) -> bool:
    """No other entry (for this event) and no other event (for this entry) fits nearly as well."""
    score = matrix[row, col]
    rivals = [matrix[row, c] for c in range(matrix.shape[1]) if c != col] + [matrix[r, col] for r in range(matrix.shape[0]) if r != row]
    return not any(r >= MERGE_THRESHOLD and r >= score - AMBIGUITY_MARGIN for r in rivals)


def merge_events(sources: list[Source], aliases: dict[str, str], countries: set[str]) -> list[EntryCluster]:
    """The timeline's entries: each article's events aligned one-to-one with the entries so far."""
    entries: list[EntryCluster] = []
    for source in sources:
        events = source.record.events
        matched: set[int] = set()
        if entries and events:
            matrix = _entry_matrix(events, entries, aliases, countries)
            for pair in align(events, entries, matrix, MERGE_THRESHOLD).pairs:
                if _unambiguous(matrix, pair.pred, pair.gold):
                    entries[pair.gold].members.append((source.n, events[pair.pred]))
                    matched.add(pair.pred)
        entries += [EntryCluster([(source.n, event)]) for i, event in enumerate(events) if i not in matched]
    return entries


def _date_key(value: EventDate) -> tuple[int, str]:
    """Chronological; a month before its days, a year before its months; unknown dates last."""
    if not value.value:
        return (1, "")
    return (0, value.value)


def build_timeline(entries: list[EntryCluster], first: int = 1) -> tuple[list[TimelineEntry], dict[tuple[int, str], str]]:
    """Entries sorted by date and numbered T<first>..; and (source, event id) -> entry id."""
    ordered = sorted(entries, key=lambda e: (_date_key(e.best().date), min(n for n, _ in e.members)))
    timeline, ids = [], {}
    for k, entry in enumerate(ordered, first):
        best = entry.best()
        members = sorted(entry.members, key=lambda m: m[0])
        timeline.append(
            TimelineEntry(
                id=f"T{k}",
                type=best.type,
                description=best.description,
                date=best.date,
                status=best.status,
                actors=best.actors,
                citations=[citation(n, ev.id, ev.evidence) for n, ev in members],
            )
        )
        for n, ev in members:
            ids[(n, ev.id)] = f"T{k}"
    return timeline, ids
