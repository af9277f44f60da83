"""Eval fixtures (evals/README.md): one YAML or JSON file per article, validated on load and turned into
the grounded schema types, so predicted and expected items are compared as the same types.

Expected evidence is located by code, as the pipeline does for predictions: each evidence string is found
in the article text and mapped to the numbered sentence(s) that contain it."""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from summarizer.io.articles import Article, article_from_record, read_inputs
from summarizer.errors import FixtureError, InputError
from summarizer.schema import Actor, ActorRole, Attribution, Claim, ClaimantType, DatePrecision, Entity, EntityType, Event, EventDate, EventStatus, EventType, Evidence, Stance
from summarizer.rules.sentences import Sentence, split_sentences

FIXTURE_SUFFIXES = (".yaml", ".yml", ".json")
_PRECISION_BY_LENGTH = {10: DatePrecision.day, 7: DatePrecision.month, 4: DatePrecision.year}
_YAML_PARSER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)  # libyaml when available
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_NO_KEY = object()


def _load_yaml(text: str) -> Any:
    """YAML to dicts, lists and strings, built straight from libyaml's parse events. Fixtures are text:
    every scalar stays a string (an unquoted 2024-05-16 or 2024 is the text a date field wants) except a
    plain null. PyYAML's composer and constructor (type guessing, a Python resolver call per node) were 60%
    of load time, and loading dominates replaying a large fixture set."""
    anchors: dict[str, Any] = {}
    containers: list[Any] = [[]]  # innermost last; the outermost list receives the document
    pending: list[Any] = [_NO_KEY]  # per container: a mapping's key waiting for its value
    for event in yaml.parse(text, Loader=_YAML_PARSER):
        kind = type(event)
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            containers.pop()
            pending.pop()
            continue
        if kind is yaml.ScalarEvent:
            value = None if event.implicit[0] and event.value in _NULLS else event.value
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            value = {} if kind is yaml.MappingStartEvent else []
        elif kind is yaml.AliasEvent:
            value = anchors[event.anchor]
        else:
            continue  # stream and document markers
        if kind is not yaml.AliasEvent and event.anchor:
            anchors[event.anchor] = value
        _put(containers[-1], pending, value)
        if isinstance(value, (dict, list)) and kind is not yaml.AliasEvent:
            containers.append(value)
            pending.append(_NO_KEY)
    return containers[0][0] if containers[0] else None


def _put(container: Any, pending: list[Any], value: Any) -> None:
    if isinstance(container, list):
        container.append(value)
    elif pending[-1] is _NO_KEY:
        pending[-1] = value
    else:
        container[pending[-1]] = value
        pending[-1] = _NO_KEY


# --- the file format -------------------------------------------------------------------------------
# Items forbid unknown keys: a misspelled `evidnce:` would otherwise silently drop the evidence.


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ActorSpec(_Item):
    name: str
    role: ActorRole = ActorRole.other
    country: str | None = None


class EventSpec(_Item):
    id: str | None = None
    type: EventType
    description: str
    actors: list[ActorSpec] = []
    date: str | None = None
    date_precision: DatePrecision | None = None
    location: str | None = None
    status: EventStatus = EventStatus.occurred
    evidence: list[str] = []

    _date_text = field_validator("date", mode="before")(lambda value: _date_text(value))

    @model_validator(mode="after")
    def _precision_matches_date(self) -> EventSpec:
        inferred = _PRECISION_BY_LENGTH.get(len(self.date or ""), DatePrecision.unknown)
        if self.date and (inferred is DatePrecision.unknown or not _is_iso(self.date)):
            raise ValueError(f"date {self.date!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
        if self.date_precision is None:
            self.date_precision = inferred
        elif self.date_precision is not inferred:
            raise ValueError(f"date_precision {self.date_precision.value} does not fit date {self.date!r}")
        return self


class ClaimSpec(_Item):
    id: str | None = None
    claimant: str
    claimant_type: ClaimantType = ClaimantType.other
    claim: str
    quote: str | None = None
    attribution: Attribution = Attribution.other
    stance: Stance
    event_ids: list[str] = []
    evidence: list[str] = []


class EntitySpec(_Item):
    name: str
    type: EntityType = EntityType.other
    aliases: list[str] = []


class SummarySpec(_Item):
    headline: str | None = None
    key_points: list[str] = []


class ExpectedSpec(_Item):
    events: list[EventSpec] = []
    claims: list[ClaimSpec] = []
    entities: list[EntitySpec] = []
    summary: SummarySpec | None = None


class ArticleSpec(_Item):
    id: str | None = None
    path: str | None = None
    text: str | None = None
    title: str | None = None
    date: str | None = None
    source: str | None = None
    url: str | None = None

    _date_text = field_validator("date", mode="before")(lambda value: _date_text(value))

    @model_validator(mode="after")
    def _one_source(self) -> ArticleSpec:
        if (self.path is None) == (self.text is None):
            raise ValueError("give exactly one of path or text")
        return self


class FixtureSpec(BaseModel):
    article: ArticleSpec
    expected: ExpectedSpec


def _date_text(value: Any) -> Any:
    """A JSON fixture may give a bare year as a number; a date object comes from other YAML tooling."""
    return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, int) else value


def _is_iso(value: str) -> bool:
    try:
        date.fromisoformat((value + "-01-01")[:10])
        return True
    except ValueError:
        return False


# --- loaded fixtures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    events: list[Event]
    claims: list[Claim]
    entities: list[Entity]
    key_points: list[str]


@dataclass(frozen=True)
class Fixture:
    id: str
    path: Path
    article: Article
    sentences: list[Sentence]
    expected: Expected


def load_fixtures(root: Path) -> tuple[list[Fixture], list[FixtureError]]:
    """Every fixture under `root` (a folder, searched recursively, or one file). Bad fixtures come back as
    errors, one per file, so the good ones still run."""
    files = _fixture_files(root)
    fixtures: list[Fixture] = []
    errors: list[FixtureError] = []
    seen: dict[str, Path] = {}
    for file in files:
        try:
            fixture = load_fixture(file)
            if fixture.id in seen:
                raise FixtureError(f"article.id: {fixture.id!r} is also the id of {seen[fixture.id]}", source=str(file))
            seen[fixture.id] = file
            fixtures.append(fixture)
        except FixtureError as err:
            errors.append(err)
    return fixtures, errors


def _fixture_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise FixtureError("no such fixture file or folder", source=str(root))
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in FIXTURE_SUFFIXES)
    if not files:
        raise FixtureError(f"no fixtures ({', '.join(FIXTURE_SUFFIXES)}) under this folder", source=str(root))
    return files


def load_fixture(file: Path) -> Fixture:
    source = str(file)
    spec = _validated(_parse(file), source)
    article = _article(spec.article, file)
    sentences = split_sentences(article.text)
    locator = _Locator(article.text, sentences, source)
    expected = Expected(
        events=[_event(e, i, locator) for i, e in enumerate(spec.expected.events)],
        claims=[_claim(c, i, locator) for i, c in enumerate(spec.expected.claims)],
        entities=[Entity.model_construct(name=e.name, type=e.type, aliases=e.aliases) for e in spec.expected.entities],
        key_points=spec.expected.summary.key_points if spec.expected.summary else [],
    )
    return Fixture(id=article.id, path=file, article=article, sentences=sentences, expected=expected)


def _parse(file: Path) -> Any:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FixtureError(f"cannot read fixture ({getattr(exc, 'strerror', None) or exc})", source=str(file)) from None
    if file.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise FixtureError(f"not valid JSON ({exc.msg} at line {exc.lineno})", source=str(file)) from None
    try:
        return _load_yaml(text)
    except (KeyError, TypeError):  # an alias to an unknown anchor; a list or mapping used as a key
        raise FixtureError("not valid YAML for a fixture (unknown alias or non-text key)", source=str(file)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise FixtureError(f"not valid YAML ({getattr(exc, 'problem', None) or exc}{where})", source=str(file)) from None


def _validated(data: Any, source: str) -> FixtureSpec:
    if not isinstance(data, dict):
        raise FixtureError(f"not a fixture: top level is {type(data).__name__}, expected a mapping with article and expected", source=source)
    try:
        return FixtureSpec.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
        got = f" (got {first['input']!r})" if first["type"] not in ("missing", "value_error") else ""
        message = first["msg"].removeprefix("Value error, ")
        raise FixtureError(f"{_field(first['loc'])}: {message}{got}{more}", source=source) from None


def _field(loc: tuple[Any, ...]) -> str:
    """('expected', 'events', 2, 'type') -> 'expected.events[2].type'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "fixture"


def _article(spec: ArticleSpec, file: Path) -> Article:
    default_id = spec.id or file.stem
    try:
        if spec.text is not None:
            record = {"id": default_id, "text": spec.text, "title": spec.title, "date": spec.date, "source": spec.source, "url": spec.url}
            return article_from_record(record, default_id=default_id, source=str(file))
        items = list(read_inputs([str(_resolve(spec.path or "", file))]))
    except InputError as err:
        raise FixtureError(f"article.text: {err}", source=str(file)) from None
    if len(items) != 1:
        raise FixtureError(f"article.path: {spec.path} holds {len(items)} articles, expected one", source=str(file))
    if isinstance(items[0], InputError):
        raise FixtureError(f"article.path: {items[0].one_line()}", source=str(file))
    article = items[0]
    article.id = default_id
    return article


def _resolve(path: str, file: Path) -> Path:
    """Relative to the fixture's folder, else to the cwd (README.md: fixture format)."""
    beside = file.parent / path
    if beside.exists() or not Path(path).exists():
        return beside
    return Path(path)


# --- evidence located by code ------------------------------------------------------------------------

_QUOTE_MARKS = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'"})


def _normalized(text: str) -> tuple[str, list[int]]:
    """Lowercased, straight quote marks, whitespace runs as one space; with each char's original offset."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text.translate(_QUOTE_MARKS).lower()):
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


class _Locator:
    """Finds fixture strings in one article: verbatim first, then after the quote-mark and whitespace
    normalization the pipeline uses for quotes (fixtures are typed by people, with curly quotes)."""

    def __init__(self, text: str, sentences: list[Sentence], source: str):
        self.text = text
        self.sentences = sentences
        self.ends = [s.end for s in sentences]  # ascending: sentences are in text order
        self.source = source
        self._norm: tuple[str, list[int]] | None = None

    def span(self, needle: str, field: str) -> tuple[int, int]:
        start = self.text.find(needle)
        if start >= 0 and needle:
            return start, start + len(needle)
        norm, offsets = self._norm or _normalized(self.text)
        self._norm = norm, offsets
        wanted = _normalized(needle.strip())[0]
        at = norm.find(wanted) if wanted else -1
        if at < 0:
            raise FixtureError(f"{field}: not found in the article text: {needle[:80]!r}", source=self.source)
        return offsets[at], offsets[at + len(wanted) - 1] + 1

    def sentences_of(self, needle: str, field: str) -> set[int]:
        start, end = self.span(needle, field)
        found = set()
        for s in self.sentences[bisect_right(self.ends, start) :]:  # the first sentence ending after `start`
            if s.start >= end:
                break
            found.add(s.n)
        return found

    def evidence(self, cited: set[int]) -> list[Evidence]:
        """Cited sentence numbers -> grounded evidence, in article order."""
        sentences = [self.sentences[n - 1] for n in sorted(cited)]
        return [Evidence.model_construct(sentence=s.n, start=s.start, end=s.end, text=s.text) for s in sentences]

    def cited(self, needles: list[str], field: str) -> set[int]:
        """The sentences overlapping each needle's span."""
        return {n for i, needle in enumerate(needles) for n in self.sentences_of(needle, f"{field}[{i}]")}


# The spec models above validated every field, so the schema objects are built with `model_construct`
# (no second validation): validating them again was a quarter of fixture load time.


def _event(spec: EventSpec, index: int, locator: _Locator) -> Event:
    return Event.model_construct(
        id=spec.id or f"E{index + 1}",
        type=spec.type,
        description=spec.description,
        actors=[Actor.model_construct(name=a.name, role=a.role, country=a.country) for a in spec.actors],
        date=EventDate.model_construct(value=spec.date, precision=spec.date_precision or DatePrecision.unknown, text=""),
        location=spec.location,
        status=spec.status,
        evidence=locator.evidence(locator.cited(spec.evidence, f"expected.events[{index}].evidence")),
    )


def _claim(spec: ClaimSpec, index: int, locator: _Locator) -> Claim:
    field = f"expected.claims[{index}]"
    cited = locator.cited(spec.evidence, f"{field}.evidence")
    if spec.quote:  # a quote is evidence too: its sentences join the cited ones
        cited |= locator.sentences_of(spec.quote, f"{field}.quote")
    return Claim.model_construct(
        id=spec.id or f"C{index + 1}",
        claimant=spec.claimant,
        claimant_type=spec.claimant_type,
        claim=spec.claim,
        quote=spec.quote,
        attribution=spec.attribution,
        stance=spec.stance,
        event_ids=spec.event_ids,
        evidence=locator.evidence(cited),
    )
