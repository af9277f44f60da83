"""The eval fixture file format (evals/README.md): one YAML or JSON file per article, parsed and validated
field by field, with errors that name the field (`expected.events[2].type`). fixtures.py turns a validated
file into grounded schema types."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from summarizer.errors import FixtureError
from summarizer.schema import ActorRole, Attribution, ClaimantType, DatePrecision, EntityType, EventStatus, EventType, Stance

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


def read_spec(file: Path) -> FixtureSpec:
    """One fixture file, parsed and validated; a FixtureError naming the file (and field) if it is not one."""
    return _validated(_parse(file), str(file))


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

