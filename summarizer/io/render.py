"""Markdown for one article's extraction: the short briefing `summarize --format md` prints."""

from __future__ import annotations

from summarizer.io import markdown_escape as md
from summarizer.schema import ArticleExtraction, Evidence, EventDate


def refs(evidence: list[Evidence]) -> str:
    return "[" + ", ".join(f"S{e.sentence}" for e in evidence) + "]" if evidence else ""


def date_label(date: EventDate) -> str:
    return f"{date.value} ({date.precision.value})" if date.value else "date unknown"


def to_markdown(record: ArticleExtraction) -> str:
    """Every value from the article or the model goes through `markdown_escape`: ids and urls too."""
    article, out = record.article, []
    out.append(f"# {md.text(record.summary.headline or article.title or article.id)}")
    meta = [md.code(article.id)] + ([f"published {md.text(article.published)}"] if article.published else [])
    out.append(" · ".join(meta) + "\n")
    out.append("## Key points")
    out += [f"- {md.text(k.text)} {refs(k.evidence)}" for k in record.summary.key_points] or ["- (none)"]
    out.append("\n## Events")
    for e in record.events:
        actors = "; ".join(f"{md.text(a.name)} ({a.role.value})" for a in e.actors)
        out.append(f"- **{md.text(e.id)}** {md.text(date_label(e.date))} · {md.code(e.type.value)} · {e.status.value}: {md.text(e.description)} {refs(e.evidence)}")
        if actors:
            out.append(f"  - actors: {actors}")
    if not record.events:
        out.append("- (no events reported)")
    out.append("\n## Claims")
    for c in record.claims:
        about = f" (about {md.text(', '.join(c.event_ids))})" if c.event_ids else ""
        out.append(f"- **{md.text(c.id)}** {md.text(c.claimant)} · {c.stance.value}{about}: {md.text(c.claim)} {refs(c.evidence)}")
        if c.quote:
            out.append(f"  > \u201c{md.text(c.quote)}\u201d")
    if not record.claims:
        out.append("- (no attributed claims)")
    p = record.provenance
    out.append(f"\n---\n{md.text(p.backend)} · prompt {md.text(p.prompt_name)}@{md.text(p.prompt_version)} · schema {md.text(p.schema_version)} · "
               f"{p.usage.total_tokens} tokens · {p.latency_s:.1f} s")
    return "\n".join(out) + "\n"
