"""Markdown for one article's extraction: the short briefing `summarize --format md` prints."""

from __future__ import annotations

from summarizer.schema import ArticleExtraction, Evidence, EventDate


def refs(evidence: list[Evidence]) -> str:
    return "[" + ", ".join(f"S{e.sentence}" for e in evidence) + "]" if evidence else ""


def date_label(date: EventDate) -> str:
    return f"{date.value} ({date.precision.value})" if date.value else "date unknown"


def _md(text: str) -> str:
    """Keep model text from being read as Markdown structure."""
    return " ".join(text.split()).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def to_markdown(record: ArticleExtraction) -> str:
    article, out = record.article, []
    out.append(f"# {_md(record.summary.headline or article.title or article.id)}")
    meta = [f"`{article.id}`"] + ([f"published {article.published}"] if article.published else [])
    out.append(" · ".join(meta) + "\n")
    out.append("## Key points")
    out += [f"- {_md(k.text)} {refs(k.evidence)}" for k in record.summary.key_points] or ["- (none)"]
    out.append("\n## Events")
    for e in record.events:
        actors = "; ".join(f"{_md(a.name)} ({a.role.value})" for a in e.actors)
        out.append(f"- **{e.id}** {date_label(e.date)} · `{e.type.value}` · {e.status.value}: {_md(e.description)} {refs(e.evidence)}")
        if actors:
            out.append(f"  - actors: {actors}")
    if not record.events:
        out.append("- (no events reported)")
    out.append("\n## Claims")
    for c in record.claims:
        about = f" (about {', '.join(c.event_ids)})" if c.event_ids else ""
        out.append(f"- **{c.id}** {_md(c.claimant)} · {c.stance.value}{about}: {_md(c.claim)} {refs(c.evidence)}")
        if c.quote:
            out.append(f"  > \u201c{_md(c.quote)}\u201d")
    if not record.claims:
        out.append("- (no attributed claims)")
    p = record.provenance
    out.append(f"\n---\n{p.backend} · prompt {p.prompt_name}@{p.prompt_version} · schema {p.schema_version} · "
               f"{p.usage.total_tokens} tokens · {p.latency_s:.1f} s")
    return "\n".join(out) + "\n"
