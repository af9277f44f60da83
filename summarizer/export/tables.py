"""The flat tables an extraction record becomes: one row per event, claim or entity, each column typed (the
kind picks the Parquet type; CSV writes lists joined with `|`). Columns every table shares: the article
(`article_id`, `published`) first, the record's status and provenance last."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from summarizer.schema import ActorRole, ArticleExtraction, Evidence

Kind = Literal["str", "int", "date", "ints", "strs"]
Row = tuple

HEAD: tuple[tuple[str, Kind], ...] = (("article_id", "str"), ("published", "date"))
TAIL: tuple[tuple[str, Kind], ...] = (("record_status", "str"), ("model", "str"), ("backend", "str"), ("prompt_version", "str"))
# `start`/`end`: from the first cited sentence's start to the last one's end; the lists give each sentence's span
EVIDENCE: tuple[tuple[str, Kind], ...] = (
    ("sentences", "ints"), ("start", "int"), ("end", "int"),
    ("evidence_starts", "ints"), ("evidence_ends", "ints"), ("evidence_text", "str"),
)  # fmt: skip


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[tuple[str, Kind], ...]
    body: Callable[[ArticleExtraction], Iterator[Row]]  # the columns between HEAD and TAIL, per item

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.columns]

    def rows(self, record: ArticleExtraction, status: str) -> Iterator[Row]:
        head = (record.article.id, record.article.published)
        p = record.provenance
        tail = (status, p.model, p.backend, p.prompt_version)
        for body in self.body(record):
            yield head + body + tail


def _evidence(evidence: list[Evidence]) -> Row:
    if not evidence:
        return ([], None, None, [], [], "")
    return (
        [e.sentence for e in evidence], min(e.start for e in evidence), max(e.end for e in evidence),
        [e.start for e in evidence], [e.end for e in evidence], " ".join(e.text for e in evidence),
    )  # fmt: skip


def _distinct(values: Iterator[str | None]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _events(record: ArticleExtraction) -> Iterator[Row]:
    for e in record.events:
        agents = [a for a in e.actors if a.role is ActorRole.agent]
        targets = [a for a in e.actors if a.role is ActorRole.target]
        yield (
            e.id, e.type.value, e.description, e.status.value, e.date.value, e.date.precision.value, e.date.text, e.location,
            [a.name for a in agents], _distinct(a.country for a in agents),
            [a.name for a in targets], _distinct(a.country for a in targets),
            [a.name for a in e.actors if a.role is ActorRole.other], _distinct(a.country for a in e.actors),
            *_evidence(e.evidence),
        )  # fmt: skip


def _claims(record: ArticleExtraction) -> Iterator[Row]:
    for c in record.claims:
        yield (c.id, c.claimant, c.claimant_type.value, c.stance.value, c.attribution.value, c.claim, c.quote, c.event_ids, *_evidence(c.evidence))


def _entities(record: ArticleExtraction) -> Iterator[Row]:
    for e in record.entities:
        yield (e.name, e.type.value, e.aliases)


EVENTS = Table(
    "events",
    HEAD + (
        ("event_id", "str"), ("type", "str"), ("description", "str"), ("status", "str"),
        ("date_value", "str"), ("date_precision", "str"), ("date_text", "str"), ("location", "str"),
        ("agents", "strs"), ("agent_countries", "strs"), ("targets", "strs"), ("target_countries", "strs"),
        ("other_actors", "strs"), ("countries", "strs"),
    ) + EVIDENCE + TAIL,
    _events,
)  # fmt: skip
CLAIMS = Table(
    "claims",
    HEAD + (
        ("claim_id", "str"), ("claimant", "str"), ("claimant_type", "str"), ("stance", "str"), ("attribution", "str"),
        ("claim", "str"), ("quote", "str"), ("event_ids", "strs"),
    ) + EVIDENCE + TAIL,
    _claims,
)  # fmt: skip
ENTITIES = Table("entities", HEAD + (("name", "str"), ("type", "str"), ("aliases", "strs")) + TAIL, _entities)

TABLES = {t.name: t for t in (EVENTS, CLAIMS, ENTITIES)}
