"""Briefings: several articles' extractions merged into what an analyst reads in the morning.

The same real-world event reported by two articles becomes one timeline entry citing both; entities merge
on canonical names and aliases; claims are grouped by who made them. Matching reuses the eval harness's
one-to-one alignment and similarities (`evals/align.py`), with vetoes a briefing needs on top (a wrong merge
hides an event; a missed one only shows it twice): events whose dates disagree at the coarser precision,
done by different countries, or described in different words are never the same event, and an event that
fits two entries about equally well is left on its own rather than guessed. Articles that share no event
and few entities are separate stories: they are shown apart, never merged.

`records_lead` is the deterministic lead, built from the records alone (`--no-llm`); briefing_lead.py has
the model's. Rendering: briefing_render.py.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError
from rapidfuzz import fuzz, process, utils

from summarizer import rules
from summarizer.io.articles import text_hash
from summarizer.errors import InputError, SummarizerError
from summarizer.match.align import CLAIM_THRESHOLD, ENTITY_THRESHOLD, align, alias_table, canonical, claim_similarities, dates_compatible, entity_similarities, event_similarities, same_name
from summarizer.rules.names import normalize_name
from summarizer.rules.thresholds import AMBIGUITY_MARGIN, LEAD_MAX_SENTENCES, LEDE_SENTENCES, MERGE_MIN_TEXT, MERGE_THRESHOLD, MERGE_THRESHOLD_OTHER_TYPE, RELATED_MIN_TOPIC, RELATED_THIN_TOPIC, THIN_EVENTS
from summarizer.schema import Actor, ActorRole, ArticleExtraction, Attribution, Claim, ClaimantType, DatePrecision, Entity, EntityType, Event, EventDate, EventStatus, EventType, Provenance, Stance
from summarizer.rules.words import stems

if TYPE_CHECKING:
    import numpy as np

# The merge and story thresholds, with the measurements that set them, are in rules/thresholds.py. Roles whose
# holder speaks for the organization named before them ("US State Department spokesperson Matthew Miller" ->
# the State Department): rules/tables/speakers.toml.
_SPOKES_ROLE = rules.spokesperson_role()
_PRECISION_RANK = {DatePrecision.day: 3, DatePrecision.month: 2, DatePrecision.year: 1, DatePrecision.unknown: 0}
# Types a deterministic lead prefers: the actions, before the speech acts about them.
_SPEECH_TYPES = {EventType.statement, EventType.condemnation, EventType.accusation, EventType.denial, EventType.other}


# --- the briefing record -----------------------------------------------------------------------------


class Citation(BaseModel):
    """Where a briefing line comes from: source article `source` (1-based), its item, its sentences."""

    source: int
    item: str = Field(description="The article's own id of the event or claim (E1, C3).")
    sentences: list[int]


class TimelineEntry(BaseModel):
    id: str = Field(description="T1, T2... unique in the briefing.")
    type: EventType
    description: str
    date: EventDate
    status: EventStatus
    actors: list[Actor] = Field(default_factory=list)
    citations: list[Citation]


class BriefClaim(BaseModel):
    claimant: str = Field(description="As the article names the speaker.")
    claim: str
    quote: str | None = None
    stance: Stance
    attribution: Attribution
    entries: list[str] = Field(default_factory=list, description="Timeline entries the claim is about.")
    citations: list[Citation]


class ClaimGroup(BaseModel):
    name: str = Field(description="Who: a person, or the body a spokesperson speaks for.")
    speakers: list[str] = Field(default_factory=list, description="Spokespeople whose claims are the body's.")
    claims: list[BriefClaim]

    @property
    def label(self) -> str:
        return f"{self.name} ({', '.join(self.speakers)})" if self.speakers else self.name


class BriefEntity(BaseModel):
    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    sources: list[int]


class LeadSentence(BaseModel):
    text: str
    entries: list[str]


class Lead(BaseModel):
    sentences: list[LeadSentence] = Field(default_factory=list)
    by: str = Field(description="'model' or 'records' (deterministic, --no-llm or the model's fallback).")
    provenance: Provenance | None = None
    note: str | None = None


class Story(BaseModel):
    id: str
    headline: str
    sources: list[int]
    lead: Lead
    timeline: list[TimelineEntry]
    claims: list[ClaimGroup]
    entities: list[BriefEntity]


class SourceArticle(BaseModel):
    n: int
    id: str
    title: str | None = None
    headline: str | None = None
    published: date | None = None
    origin: str | None = None
    url: str | None = None
    text: str | None = Field(default=None, exclude=True, description="The article text, when known (for the HTML page).")
    cited: dict[int, str] = Field(default_factory=dict, description="Text of every sentence the records cite, by number.")


class Skipped(BaseModel):
    source: str
    reason: str


class Briefing(BaseModel):
    title: str
    stories: list[Story]
    sources: list[SourceArticle]
    skipped: list[Skipped] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


# --- inputs ------------------------------------------------------------------------------------------


@dataclass
class BriefInput:
    """One article's extraction, with its text when known (article files; not always batch output)."""

    record: ArticleExtraction
    text: str | None = None
    origin: str | None = None


def is_extraction_jsonl(path: Path) -> bool:
    """A JSONL file of extraction records (batch output, eval runs) rather than of articles."""
    if path.suffix != ".jsonl" or not path.is_file():
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    first = json.loads(line)
                    return isinstance(first, dict) and ("status" in first or _extraction_dict(first) is not None)
    except (OSError, json.JSONDecodeError):
        return False
    return False


def _extraction_dict(line: dict[str, Any]) -> dict[str, Any] | None:
    if "article" in line and "provenance" in line:
        return line
    for key in ("extraction", "record", "result"):
        if isinstance(line.get(key), dict):
            return _extraction_dict(line[key])
    return None


def _line_name(line: dict[str, Any], fallback: str) -> str:
    for key in ("source", "input", "path", "id", "article_id", "fixture_id"):
        if isinstance(line.get(key), str) and line[key]:
            return line[key]
    return fallback


def _error_reason(line: dict[str, Any]) -> str:
    """`{"error_type", "message"}` (batch), `{"error": {"type", "message"}}` (eval runs) or `{"error": "..."}`."""
    error, kind = line.get("error"), line.get("error_type")
    if isinstance(error, dict):
        kind, error = kind or error.get("type"), error.get("message") or error.get("reason")
    message = " ".join(str(error or line.get("message") or line.get("reason") or "marked as an error, no reason given").split())
    return f"{message} ({kind})" if kind else message


def read_extractions(path: Path) -> tuple[list[BriefInput], list[Skipped]]:
    """Extraction records from a JSONL file: error lines and unreadable lines come back as skipped, with the
    reason; no model calls."""
    inputs: list[BriefInput] = []
    skipped: list[Skipped] = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", source=str(path)) from exc
    for lineno, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(source=where, reason=f"line is not JSON ({exc.msg})"))
            continue
        if not isinstance(line, dict):
            skipped.append(Skipped(source=where, reason=f"line is {type(line).__name__}, not an extraction record"))
            continue
        if line.get("status") == "error":
            name = _line_name(line, where)
            skipped.append(Skipped(source=name, reason=_error_reason(line).removeprefix(f"{name}: ")))
            continue
        data = _extraction_dict(line)
        if data is None:
            skipped.append(Skipped(source=_line_name(line, where), reason="not an extraction record (no article/provenance)"))
            continue
        try:
            record = ArticleExtraction.model_validate(data)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            skipped.append(Skipped(source=_line_name(line, where), reason=f"invalid extraction record ({field}: {first['msg']})"))
            continue
        text = line.get("text") if isinstance(line.get("text"), str) else None
        inputs.append(BriefInput(record, text or _text_from_source(record), origin=where))
    return inputs, skipped


def _text_from_source(record: ArticleExtraction) -> str | None:
    """The article's text, when its id or source names a readable file with the same text hash (batch
    records of article files); else None, and the page shows the cited sentences only."""
    from summarizer.io.articles import read_inputs

    for candidate in (record.article.id, record.article.source):
        if candidate and Path(candidate).is_file():
            for item in read_inputs([candidate]):
                if not isinstance(item, SummarizerError) and item.text_hash == record.article.text_hash:
                    return item.text
    return None


# --- merging ------------------------------------------------------------------------------------------


@dataclass
class _Source:
    n: int
    input: BriefInput

    @property
    def record(self) -> ArticleExtraction:
        return self.input.record


@dataclass
class _EntityCluster:
    name: str
    type: EntityType
    names: list[str]  # every spelling seen, display name first
    sources: list[int]

    def as_entity(self) -> Entity:
        return Entity(name=self.name, type=self.type, aliases=self.names[1:])


@dataclass
class _EntryCluster:
    members: list[tuple[int, Event]]  # (source n, event)

    def best(self) -> Event:
        """The member that says the most about when: the most precise date, then the earliest source."""
        return max(self.members, key=lambda m: (_PRECISION_RANK[m[1].date.precision], -m[0]))[1]


def _spelling(name: str) -> str:
    """Spellings that differ only in case, dots or spacing are one ("U.S." = "US"; "US" != "United States")."""
    return " ".join(name.replace(".", "").lower().split())


def _distinct(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name and _spelling(name) not in seen:
            seen[_spelling(name)] = name
    return list(seen.values())


def merge_entities(sources: list[_Source]) -> list[_EntityCluster]:
    """One entity per real-world entity: the harness's entity alignment (shared name or alias, type)
    against the entities merged so far, article by article."""
    clusters: list[_EntityCluster] = []
    for source in sources:
        entities = source.record.entities
        known = [c.as_entity() for c in clusters]
        result = align(entities, known, entity_similarities(entities, known), ENTITY_THRESHOLD)
        for pair in result.pairs:
            cluster, entity = clusters[pair.gold], entities[pair.pred]
            cluster.names = _distinct([*cluster.names, entity.name, *entity.aliases])
            if source.n not in cluster.sources:
                cluster.sources.append(source.n)
        for i in result.unmatched_pred:
            entity = entities[i]
            clusters.append(_EntityCluster(entity.name, entity.type, _distinct([entity.name, *entity.aliases]), [source.n]))
    return clusters


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


def _entry_matrix(events: list[Event], entries: list[_EntryCluster], aliases: dict[str, str], countries: set[str]) -> np.ndarray:
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


def merge_events(sources: list[_Source], aliases: dict[str, str], countries: set[str]) -> list[_EntryCluster]:
    """The timeline's entries: each article's events aligned one-to-one with the entries so far."""
    entries: list[_EntryCluster] = []
    for source in sources:
        events = source.record.events
        matched: set[int] = set()
        if entries and events:
            matrix = _entry_matrix(events, entries, aliases, countries)
            for pair in align(events, entries, matrix, MERGE_THRESHOLD).pairs:
                if _unambiguous(matrix, pair.pred, pair.gold):
                    entries[pair.gold].members.append((source.n, events[pair.pred]))
                    matched.add(pair.pred)
        entries += [_EntryCluster([(source.n, event)]) for i, event in enumerate(events) if i not in matched]
    return entries


def _date_key(value: EventDate) -> tuple[int, str]:
    """Chronological; a month before its days, a year before its months; unknown dates last."""
    if not value.value:
        return (1, "")
    return (0, value.value)


def _citation(n: int, item: str, evidence: list) -> Citation:
    return Citation(source=n, item=item, sentences=sorted({e.sentence for e in evidence}))


def _timeline(entries: list[_EntryCluster], first: int = 1) -> tuple[list[TimelineEntry], dict[tuple[int, str], str]]:
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
                citations=[_citation(n, ev.id, ev.evidence) for n, ev in members],
            )
        )
        for n, ev in members:
            ids[(n, ev.id)] = f"T{k}"
    return timeline, ids


# --- who said what -------------------------------------------------------------------------------------


_CAPITALIZED = r"(?:(?:[A-Z]\.)+|[A-Z][\w'\u2019-]*)"  # "U.S." or "Department", never "Friday." ending a sentence


def _spokes_match(name: str, text: str) -> str | None:
    """The words naming the body `name` speaks for, when the text calls them its spokesperson."""
    pattern = rf"((?:{_CAPITALIZED}\s+){{1,6}}){_SPOKES_ROLE}\s*,?\s+{re.escape(name)}\b"
    match = re.search(pattern, text)
    return match.group(1).strip() if match else None


def _body(words: str, bodies: dict[str, str]) -> str | None:
    """The known organization or government body `words` name: the whole run, else its beginning ("White
    House National Security Council" -> the White House; never the "Security Council" inside it)."""
    parts = re.sub(r"^(the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE).split()
    for end in range(len(parts), 0, -1):
        key = bodies.get(_spelling(re.sub(r"['\u2019]s$", "", " ".join(parts[:end]))))
        if key:
            return key
    return None


def _person_and_body(claimant: str, texts: list[str], bodies: dict[str, str]) -> tuple[str, str | None]:
    """("Matthew Miller", "us state department") for "US State Department spokesperson Matthew Miller", or for
    "Matthew Miller" when an article calls him that."""
    inline = re.match(rf"(.*?)\s*\b{_SPOKES_ROLE}\s*,?\s+(.+)$", claimant, flags=re.IGNORECASE)
    if inline and inline.group(1):
        body = _body(inline.group(1), bodies)
        if body:
            return inline.group(2).strip(), body
    for text in texts:
        words = _spokes_match(claimant, text)
        if words:
            body = _body(words, bodies)
            if body:
                return claimant, body
    return claimant, None


def _merge_subsets(keys: list[str], countries: set[str]) -> dict[str, str]:
    """Fold a key into the only other key whose words include all of its words ("state department" ->
    "us state department", "miller" -> "matthew miller"). A country never folds into one of its bodies, and
    lists of speakers ("x and y") never absorb anyone."""
    words = {k: frozenset(k.split()) - {"the", "of"} for k in keys}
    target: dict[str, str] = {}
    for key in keys:
        if key in countries or not words[key]:
            continue
        wider = [o for o in keys if o != key and " and " not in o and words[key] < words[o]]
        if len(wider) == 1:
            target[key] = wider[0]
    resolved = {}
    for key in keys:
        seen, k = set(), key
        while k in target and k not in seen:
            seen.add(k)
            k = target[k]
        resolved[key] = k
    return resolved


def _claim_entries(source: _Source, claim: Claim, entry_ids: dict[tuple[int, str], str]) -> list[str]:
    """The entries a claim is about: its event ids, else the events citing one of its sentences."""
    linked = [entry_ids[(source.n, e)] for e in claim.event_ids if (source.n, e) in entry_ids]
    if not linked:
        cited = {e.sentence for e in claim.evidence}
        linked = [entry_ids[(source.n, ev.id)] for ev in source.record.events if cited & {e.sentence for e in ev.evidence}]
    return sorted(dict.fromkeys(linked), key=lambda t: int(t[1:]))


def group_claims(
    sources: list[_Source], clusters: list[_EntityCluster], aliases: dict[str, str], entry_ids: dict[tuple[int, str], str]
) -> list[ClaimGroup]:
    """Claims grouped by claimant (canonical names and aliases; a spokesperson's under the body they speak
    for), the same claim reported by two articles folded into one citing both."""
    # every spelling of every organization and government body (entities, and claimants typed so) -> its key
    bodies = {
        _spelling(c.claimant): canonical(c.claimant, aliases)
        for source in sources
        for c in source.record.claims
        if c.claimant_type in (ClaimantType.government_body, ClaimantType.organization)
    }
    organizations = (EntityType.government_body, EntityType.organization)
    bodies.update({_spelling(n): normalize_name(c.name) for c in clusters if c.type in organizations for n in c.names})
    countries = {normalize_name(c.name) for c in clusters if c.type is EntityType.country}
    display = {normalize_name(c.name): c.name for c in clusters}
    rows: list[tuple[_Source, Claim, str, str, str | None]] = []  # (source, claim, speaker, speaker key, body key)
    for source in sources:
        texts = [source.input.text] if source.input.text else [e.text for c in source.record.claims for e in c.evidence]
        for claim in source.record.claims:
            speaker, body = _person_and_body(claim.claimant.strip(), texts, bodies)
            rows.append((source, claim, speaker, canonical(speaker, aliases), body))
    keys = list(dict.fromkeys([k for *_, k, _ in rows] + [b for *_, b in rows if b]))
    resolved = _merge_subsets(keys, countries)
    # a spokesperson found in one article speaks for the body in every article
    body_of = {resolved[k]: resolved[b] for *_, k, b in rows if b}
    groups: dict[str, list[tuple[_Source, Claim, str, bool]]] = {}
    for source, claim, speaker, key, _ in rows:
        person = resolved[key]
        groups.setdefault(body_of.get(person, person), []).append((source, claim, speaker, person in body_of))
    result = []
    for key, items in groups.items():
        speakers = _distinct(s for _, _, s, spokes in items if spokes)
        names = [c.claimant for _, c, _, spokes in items if not spokes]
        name = display.get(key) or (max(names, key=lambda n: (names.count(n), len(n))) if names else key)
        result.append(ClaimGroup(name=name, speakers=speakers, claims=_fold_claims([(s, c) for s, c, _, _ in items], entry_ids)))
    result.sort(key=lambda g: -len(g.claims))
    return result


def _fold_claims(items: list[tuple[_Source, Claim]], entry_ids: dict[tuple[int, str], str]) -> list[BriefClaim]:
    """One claimant's claims; the same claim from a later article adds its citation instead of a line."""
    folded: list[tuple[Claim, BriefClaim]] = []
    by_source: dict[int, list[tuple[_Source, Claim]]] = {}
    for source, claim in items:
        by_source.setdefault(source.n, []).append((source, claim))
    for n in sorted(by_source):
        batch = by_source[n]
        known = [c for c, _ in folded]
        claims = [c for _, c in batch]
        result = align(claims, known, claim_similarities(claims, known), CLAIM_THRESHOLD)
        for pair in result.pairs:
            source, claim = batch[pair.pred]
            target = folded[pair.gold][1]
            target.citations.append(_citation(n, claim.id, claim.evidence))
            target.entries = sorted(set(target.entries) | set(_claim_entries(source, claim, entry_ids)), key=lambda t: int(t[1:]))
            target.quote = target.quote or claim.quote
        for i in result.unmatched_pred:
            source, claim = batch[i]
            brief = BriefClaim(
                claimant=claim.claimant,
                claim=claim.claim,
                quote=claim.quote,
                stance=claim.stance,
                attribution=claim.attribution,
                entries=_claim_entries(source, claim, entry_ids),
                citations=[_citation(n, claim.id, claim.evidence)],
            )
            folded.append((claim, brief))
    return [b for _, b in folded]


# --- stories -------------------------------------------------------------------------------------------


def _real_title(title: str | None) -> str:
    title = (title or "").strip()
    return title if title and not _JUNK_TITLE.match(title) and len(title.split()) >= 4 else ""


def _topic(record: ArticleExtraction) -> Counter[str]:
    parts = [_real_title(record.article.title), record.summary.headline, *(e.description for e in record.events), *(c.claim for c in record.claims)]
    return Counter(stems(" ".join(parts)))


def topic_similarity(a: ArticleExtraction, b: ArticleExtraction) -> float:
    """Cosine of the two records' topic words, in [0, 1]."""
    ta, tb = _topic(a), _topic(b)
    norm = math.sqrt(sum(v * v for v in ta.values()) * sum(v * v for v in tb.values()))
    return sum(n * tb[w] for w, n in ta.items()) / norm if norm else 0.0


def _stories(sources: list[_Source], entries: list[_EntryCluster]) -> tuple[list[list[int]], list[str]]:
    """Connected groups of articles, linked by a shared timeline entry or a close topic (a moderate one for
    an article too thin to share an entry, with a warning)."""
    parent = {s.n: s.n for s in sources}

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for entry in entries:
        ns = [n for n, _ in entry.members]
        for n in ns[1:]:
            parent[find(n)] = find(ns[0])
    warnings = []
    for i, a in enumerate(sources):
        for b in sources[i + 1 :]:
            if find(a.n) == find(b.n):
                continue
            score = topic_similarity(a.record, b.record)
            thin = min(len(a.record.events), len(b.record.events)) < THIN_EVENTS
            if score >= RELATED_MIN_TOPIC or (thin and score >= RELATED_THIN_TOPIC):
                parent[find(b.n)] = find(a.n)
            if thin and score >= RELATED_THIN_TOPIC:
                warnings.append(f"sources [{a.n}] and [{b.n}] share no event (too few were extracted) and only some topic words ({score:.2f}): taken as one story, check")
    groups: dict[int, list[int]] = {}
    for s in sources:
        groups.setdefault(find(s.n), []).append(s.n)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0])), warnings


_JUNK_TITLE = rules.junk_title()  # rules/tables/titles.toml


def _headline(sources: list[_Source], timeline: list[TimelineEntry]) -> str:
    """The latest article's title, else its extracted headline, else the first entry's description."""
    for source in reversed(sources):
        title = _real_title(source.record.article.title)
        if title:
            return title
        headline = re.sub(r"\s*\[[\d, ]*\]?\s*$", "", source.record.summary.headline.strip())  # a stray citation
        if headline:
            return headline
    return timeline[0].description if timeline else "Briefing"


def _cited_sentences(record: ArticleExtraction) -> dict[int, str]:
    items = [*record.events, *record.claims, *record.summary.key_points]
    return dict(sorted({e.sentence: e.text for item in items for e in item.evidence}.items()))


def _published_key(item: tuple[int, BriefInput]) -> tuple[int, date, int]:
    published = item[1].record.article.published
    return (0, published, item[0]) if published else (1, date.min, item[0])


def _story(k: int, sources: list[_Source], first_entry: int, headline: str | None) -> Story:
    """One story's records, merged among its own articles only (an alias shared with an unrelated story,
    like "Foreign Ministry", must not join two ministries)."""
    clusters = merge_entities(sources)
    aliases = alias_table(c.as_entity() for c in clusters)
    countries = {canonical(n, aliases) for c in clusters if c.type is EntityType.country for n in c.names}
    timeline, entry_ids = _timeline(merge_events(sources, aliases, countries), first_entry)
    entities = [
        BriefEntity(name=c.name, type=c.type, aliases=c.names[1:], sources=sorted(c.sources))
        for c in sorted(clusters, key=lambda c: -len(c.sources))
    ]
    story = Story(
        id=f"story-{k}",
        headline=headline or _headline(sources, timeline),
        sources=[s.n for s in sources],
        lead=Lead(by="records"),
        timeline=timeline,
        claims=group_claims(sources, clusters, aliases, entry_ids),
        entities=entities,
    )
    story.lead = records_lead(story)
    return story


def build_briefing(inputs: list[BriefInput], *, title: str | None = None, skipped: Iterable[Skipped] = ()) -> Briefing:
    """Merge extractions into a briefing with the deterministic lead (`add_model_leads` replaces it)."""
    skipped = list(skipped)
    sources: list[_Source] = []
    seen: dict[str, int] = {}
    for _, item in sorted(enumerate(inputs), key=_published_key):
        digest = item.record.article.text_hash
        if digest in seen:
            skipped.append(Skipped(source=item.origin or item.record.article.id, reason=f"same article text as source [{seen[digest]}]: counted once"))
            continue
        sources.append(_Source(len(sources) + 1, item))
        seen[digest] = len(sources)
    if not sources:
        raise InputError("no articles to brief" + (f" ({len(skipped)} skipped)" if skipped else ""))
    clusters = merge_entities(sources)
    aliases = alias_table(c.as_entity() for c in clusters)
    countries = {canonical(n, aliases) for c in clusters if c.type is EntityType.country for n in c.names}
    story_sources, warnings = _stories(sources, merge_events(sources, aliases, countries))
    if len(story_sources) > 1:
        lists = "; ".join("[" + ", ".join(map(str, g)) + "]" for g in story_sources)
        warnings.insert(0, f"these articles are {len(story_sources)} unrelated stories (sources {lists}): shown separately, not merged")
    by_n = {s.n: s for s in sources}
    stories: list[Story] = []
    for k, ns in enumerate(story_sources, 1):
        headline = title if title and len(story_sources) == 1 else None
        stories.append(_story(k, [by_n[n] for n in ns], sum(len(s.timeline) for s in stories) + 1, headline))
    articles = [
        SourceArticle(
            n=s.n,
            id=s.record.article.id,
            title=s.record.article.title,
            headline=s.record.summary.headline or None,
            published=s.record.article.published,
            origin=s.input.origin,
            url=s.record.article.url,
            text=s.input.text if s.input.text is not None and text_hash(s.input.text) == s.record.article.text_hash else None,
            cited=_cited_sentences(s.record),
        )
        for s in sources
    ]
    return Briefing(
        title=title or (stories[0].headline if len(stories) == 1 else f"Briefing: {len(stories)} unrelated stories"),
        stories=stories,
        sources=articles,
        skipped=skipped,
        warnings=warnings,
    )


# --- the lead ----------------------------------------------------------------------------------------------


def date_phrase(value: EventDate) -> str:
    if not value.value:
        return ""
    try:
        if value.precision is DatePrecision.day:
            d = date.fromisoformat(value.value)
            return f"On {d.day} {d:%B %Y}"
        if value.precision is DatePrecision.month:
            d = date.fromisoformat(value.value + "-01")
            return f"In {d:%B %Y}"
    except ValueError:
        return f"On {value.value}"
    return f"In {value.value}"


def _sentence(entry: TimelineEntry) -> str:
    text = entry.description.strip().rstrip(".")
    if entry.status is EventStatus.alleged:
        text += " (alleged)"
    elif entry.status is EventStatus.planned:
        text += " (planned)"
    phrase = date_phrase(entry.date)
    if phrase and entry.date.value and entry.date.value[:4] not in text:  # unless the description dates itself
        text = f"{phrase}, {text[0].lower() + text[1:] if text.startswith(('The ', 'A ', 'An ')) else text}"
    return text + "."


def records_lead(story: Story) -> Lead:
    """A deterministic lead from the records alone: the entries the articles lead with (news puts the main
    event in its first sentences), then those most reported and most talked about; actions before speech
    acts, dated before undated. One sentence each, in the records' words, in date order."""
    if not story.timeline:
        return Lead(by="records", note="no events in these articles: no lead")
    talked = {t: sum(t in c.entries for g in story.claims for c in g.claims) for t in (e.id for e in story.timeline)}

    def rank(e: TimelineEntry) -> tuple:
        ledes = sum(1 for c in e.citations if c.sentences and min(c.sentences) <= LEDE_SENTENCES)
        return (-ledes, -len({c.source for c in e.citations}), e.type in _SPEECH_TYPES, e.date.value is None, -talked[e.id], int(e.id[1:]))

    ranked = sorted(story.timeline, key=rank)
    chosen = sorted(ranked[:LEAD_MAX_SENTENCES - 1], key=lambda e: int(e.id[1:]))
    return Lead(by="records", sentences=[LeadSentence(text=_sentence(e), entries=[e.id]) for e in chosen])
