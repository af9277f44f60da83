"""Eval fixtures (evals/README.md): one YAML or JSON file per article, validated on load (fixture_format.py)
and turned into the grounded schema types, so predicted and expected items are compared as the same types.

Expected evidence is located by code, as the pipeline does for predictions: each evidence string is found
in the article text and mapped to the numbered sentence(s) that contain it."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

from summarizer.io.articles import Article, article_from_record
from summarizer.io.readers import stream_inputs
from summarizer.errors import FixtureError, InputError
from summarizer.evals.fixture_format import FIXTURE_SUFFIXES, ArticleSpec, ClaimSpec, EventSpec, read_spec
from summarizer.schema import Actor, Claim, DatePrecision, Entity, Event, EventDate, Evidence
from summarizer.rules.sentences import Sentence, split_sentences


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
    spec = read_spec(file)
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



def _article(spec: ArticleSpec, file: Path) -> Article:
    default_id = spec.id or file.stem
    try:
        if spec.text is not None:
            record = {"id": default_id, "text": spec.text, "title": spec.title, "date": spec.date, "source": spec.source, "url": spec.url}
            return article_from_record(record, default_id=default_id, source=str(file))
        items = list(stream_inputs([str(_resolve(spec.path or "", file))]))
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


# The spec models (fixture_format.py) validated every field, so the schema objects are built with `model_construct`
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
