"""`build_briefing`: extraction records in, one briefing out: sources numbered in publication order (the same
text counted once), split into stories, each merged among its own articles only, with the deterministic lead.

`records_lead` is that lead, built from the records alone (`--no-llm`, and the model's fallback); lead.py
has the model's."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from summarizer.brief.claims import group_claims
from summarizer.brief.entities import merge_entities
from summarizer.brief.events import build_timeline, merge_events
from summarizer.brief.inputs import BriefInput, Source
from summarizer.brief.models import Briefing, BriefEntity, Lead, LeadSentence, Skipped, SourceArticle, Story, TimelineEntry
from summarizer.brief.stories import story_headline, story_groups
from summarizer.errors import InputError
from summarizer.io.articles import text_hash
from summarizer.match.align import alias_table, canonical
from summarizer.rules.thresholds import LEAD_MAX_SENTENCES, LEDE_SENTENCES
from summarizer.schema import ArticleExtraction, DatePrecision, EntityType, EventDate, EventStatus, EventType

# Types a deterministic lead prefers: the actions, before the speech acts about them.
_SPEECH_TYPES = {EventType.statement, EventType.condemnation, EventType.accusation, EventType.denial, EventType.other}


def _cited_sentences(record: ArticleExtraction) -> dict[int, str]:
    items = [*record.events, *record.claims, *record.summary.key_points]
    return dict(sorted({e.sentence: e.text for item in items for e in item.evidence}.items()))


def _published_key(item: tuple[int, BriefInput]) -> tuple[int, date, int]:
    published = item[1].record.article.published
    return (0, published, item[0]) if published else (1, date.min, item[0])


def _story(k: int, sources: list[Source], first_entry: int, headline: str | None) -> Story:
    """One story's records, merged among its own articles only (an alias shared with an unrelated story,
    like "Foreign Ministry", must not join two ministries)."""
    clusters = merge_entities(sources)
    aliases = alias_table(c.as_entity() for c in clusters)
    countries = {canonical(n, aliases) for c in clusters if c.type is EntityType.country for n in c.names}
    timeline, entry_ids = build_timeline(merge_events(sources, aliases, countries), first_entry)
    entities = [
        BriefEntity(name=c.name, type=c.type, aliases=c.names[1:], sources=sorted(c.sources))
        for c in sorted(clusters, key=lambda c: -len(c.sources))
    ]
    story = Story(
        id=f"story-{k}",
        headline=headline or story_headline(sources, timeline),
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
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for _, item in sorted(enumerate(inputs), key=_published_key):
        digest = item.record.article.text_hash
        if digest in seen:
            skipped.append(Skipped(source=item.origin or item.record.article.id, reason=f"same article text as source [{seen[digest]}]: counted once"))
            continue
        sources.append(Source(len(sources) + 1, item))
        seen[digest] = len(sources)
    if not sources:
        raise InputError("no articles to brief" + (f" ({len(skipped)} skipped)" if skipped else ""))
    clusters = merge_entities(sources)
    aliases = alias_table(c.as_entity() for c in clusters)
    countries = {canonical(n, aliases) for c in clusters if c.type is EntityType.country for n in c.names}
    story_sources, warnings = story_groups(sources, merge_events(sources, aliases, countries))
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
