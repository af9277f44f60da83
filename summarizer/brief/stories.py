"""Stories: articles that share no timeline entry and few topic words are separate stories, shown apart and
never merged; a story's headline. The thresholds are in rules/thresholds.py."""

from __future__ import annotations

import math
import re
from collections import Counter

from summarizer import rules
from summarizer.brief.events import EntryCluster
from summarizer.brief.inputs import Source
from summarizer.brief.models import TimelineEntry
from summarizer.rules.thresholds import RELATED_MIN_TOPIC, RELATED_THIN_TOPIC, THIN_EVENTS
from summarizer.rules.words import stems
from summarizer.schema import ArticleExtraction

_JUNK_TITLE = rules.junk_title()  # rules/tables/titles.toml


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


def story_groups(sources: list[Source], entries: list[EntryCluster]) -> tuple[list[list[int]], list[str]]:
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


def story_headline(sources: list[Source], timeline: list[TimelineEntry]) -> str:
    """The latest article's title, else its extracted headline, else the first entry's description."""
    for source in reversed(sources):
        title = _real_title(source.record.article.title)
        if title:
            return title
        headline = re.sub(r"\s*\[[\d, ]*\]?\s*$", "", source.record.summary.headline.strip())  # a stray citation
        if headline:
            return headline
    return timeline[0].description if timeline else "Briefing"
