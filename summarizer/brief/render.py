"""A briefing as Markdown (to read) and as one self-contained HTML page (to review): the same sections, plus
each source article's text with the cited sentences highlighted and linked from the timeline and the claims."""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.io import markdown_escape as md
from summarizer.brief.models import Briefing, BriefClaim, Citation, Lead, SourceArticle, Story
from summarizer.io.html_page import page, render_page
from summarizer.io.render import date_label
from summarizer.rules.sentences import split_sentences


def _cites(citations: list[Citation]) -> str:
    return "; ".join(f"[{c.source}] " + ", ".join(f"S{n}" for n in c.sentences) for c in citations)


def _lead_line(lead: Lead) -> str:
    if lead.by == "model" and lead.provenance:
        p = lead.provenance
        return f"lead written by {p.backend} from the records (prompt {p.prompt_name}@{p.prompt_version})"
    return "lead built from the records (no model)"


def _span(briefing: Briefing, sources: list[int]) -> str:
    dates = sorted(s.published for s in briefing.sources if s.n in sources and s.published)
    if not dates:
        return ""
    return f" · {dates[0]}" if dates[0] == dates[-1] else f" · {dates[0]} to {dates[-1]}"


def _claim_md(claim: BriefClaim) -> list[str]:
    about = f" (about {', '.join(claim.entries)})" if claim.entries else ""
    lines = [f"- **{claim.stance.value}**: {md.text(claim.claim)}{about} — {_cites(claim.citations)}"]
    if claim.quote:
        lines.append(f"  > \u201c{md.text(claim.quote)}\u201d")
    return lines


def _story_md(briefing: Briefing, story: Story, h: str) -> list[str]:
    out = []
    if story.lead.sentences:
        out.append(" ".join(f"{md.text(s.text)} [{', '.join(s.entries)}]" for s in story.lead.sentences))
        out.append(f"\n*{md.text(_lead_line(story.lead))}*")
    elif story.lead.note:
        out.append(f"*{md.text(story.lead.note)}*")
    out.append(f"\n{h} Timeline")
    for e in story.timeline:
        status = "" if e.status.value == "occurred" else f" ({e.status.value})"
        out.append(f"- **{md.text(date_label(e.date))}** · {e.id} · {md.code(e.type.value)}{status}: {md.text(e.description)} — {_cites(e.citations)}")
    if not story.timeline:
        out.append("- (no events reported)")
    out.append(f"\n{h} Who said what")
    for group in story.claims:
        out.append(f"\n{h}# {md.text(group.label)}")
        for claim in group.claims:
            out += _claim_md(claim)
    if not story.claims:
        out.append("- (no attributed claims)")
    out.append(f"\n{h} Entities")
    for entity in story.entities:
        also = f"; also {', '.join(md.text(a) for a in entity.aliases)}" if entity.aliases else ""
        out.append(f"- **{md.text(entity.name)}** ({entity.type.value}{also}) — " + ", ".join(f"[{n}]" for n in entity.sources))
    return out


def to_markdown(briefing: Briefing) -> str:
    several = len(briefing.stories) > 1
    all_sources = [s.n for s in briefing.sources]
    out = [f"# {md.text(briefing.title)}", f"{len(briefing.sources)} article{'s' * (len(briefing.sources) != 1)}{_span(briefing, all_sources)}"]
    for warning in briefing.warnings:
        out.append(f"\n> **warning:** {md.text(warning)}")
    for k, story in enumerate(briefing.stories, 1):
        if several:
            sources = ", ".join(f"[{n}]" for n in story.sources)
            out.append(f"\n## Story {k}: {md.text(story.headline)}\nsources {sources}{_span(briefing, story.sources)}\n")
        else:
            out.append("")
        out += _story_md(briefing, story, "###" if several else "##")
    out.append("\n## Sources")
    for s in briefing.sources:
        published = f"published {s.published}" if s.published else "publication date unknown"
        where = f" · {md.text(s.origin)}" if s.origin else ""
        url = f" · {md.link(s.url)}" if s.url else ""
        out.append(f"- [{s.n}] **{md.text(s.title or s.headline or s.id)}** · {published} · {md.code(s.id)}{where}{url}")
    if briefing.skipped:
        out.append("\n## Skipped")
        out += [f"- {md.text(s.source)}: {md.text(s.reason)}" for s in briefing.skipped]
    return "\n".join(out) + "\n"


# --- HTML -------------------------------------------------------------------------------------------------


@dataclass
class Segment:
    """A run of a source article's text: a numbered sentence (`n`) or the text between sentences."""

    text: str
    n: int | None = None
    cited_by: tuple[str, ...] = ()


def sentence_id(source: int, n: int) -> str:
    return f"a{source}-s{n}"


def targets(citations: list[Citation]) -> str:
    """The page ids of the sentences a line cites, for its `data-targets`."""
    return " ".join(sentence_id(c.source, n) for c in citations for n in c.sentences)


def _cited_by(briefing: Briefing) -> dict[tuple[int, int], list[str]]:
    """(source, sentence) -> the timeline entries and claims citing it, for the sentence's tooltip."""
    index: dict[tuple[int, int], list[str]] = {}
    for story in briefing.stories:
        for entry in story.timeline:
            for c in entry.citations:
                for n in c.sentences:
                    index.setdefault((c.source, n), []).append(entry.id)
        for group in story.claims:
            for claim in group.claims:
                for c in claim.citations:
                    for n in c.sentences:
                        index.setdefault((c.source, n), []).append(f"{group.label}: {claim.stance.value}")
    return index


def segments(source: SourceArticle, cited_by: dict[tuple[int, int], list[str]]) -> list[Segment]:
    """The article as sentences and the text between them; without the text, the cited sentences alone."""
    if source.text is None:
        out = []
        for n, text in source.cited.items():
            out += [Segment(text, n, tuple(cited_by.get((source.n, n), ()))), Segment(" \u2026 ")]
        return out
    out, at = [], 0
    for s in split_sentences(source.text):
        if s.start > at:
            out.append(Segment(source.text[at : s.start]))
        out.append(Segment(s.text, s.n, tuple(cited_by.get((source.n, s.n), ()))))
        at = s.end
    if at < len(source.text):
        out.append(Segment(source.text[at:]))
    return out


def to_html(briefing: Briefing) -> str:
    cited_by = _cited_by(briefing)
    texts = {s.n: segments(s, cited_by) for s in briefing.sources}
    spans = {story.id: _span(briefing, story.sources).removeprefix(" · ") for story in briefing.stories}
    return render_page(
        page("brief", "brief"), date_label=date_label, targets=targets, sentence_id=sentence_id, lead_line=_lead_line,
        b=briefing, several=len(briefing.stories) > 1, texts=texts, spans=spans, span=_span(briefing, [s.n for s in briefing.sources]).removeprefix(" · "),
    )
