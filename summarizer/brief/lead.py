"""The briefing's lead paragraph, written by the model from the merged records only (never the raw text).

Each sentence cites the numbers of the timeline entries it rests on. Citations are checked in code: an entry
number that does not exist in the story, a number (date, count) that the cited entries don't hold, a
sentence repeating another or too few sentences are validation errors that instructor re-asks with the
reason. If the answer stays invalid, bad citations are dropped and counted, and a sentence left citing
nothing or repeating another is dropped. No valid sentence at all: the deterministic `records_lead` stands,
and the briefing says so.
"""

from __future__ import annotations

import re
import time
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, ValidationInfo, model_validator
from rapidfuzz import fuzz

from summarizer.brief.build import records_lead
from summarizer.brief.models import Briefing, Lead, LeadSentence, Story, TimelineEntry
from summarizer.errors import ExtractionError
from summarizer.llm.base import Backend, call_stats
from summarizer.llm.prompts import Prompt, load_prompt
from summarizer.llm.structured import Answer, provenance, structured_call
from summarizer.rules.thresholds import LEAD_MAX_SENTENCES
from summarizer.schema.validation import context_of, count_drop, only_shown

LEAD_MIN_SENTENCES = 3
# A sentence whose words are (nearly) all in an earlier one adds nothing (rapidfuzz token-set ratio). The
# embedded model, given one entry, wrote it three times, once as "Matthew Miller ... said" + the same words.
SAME_SENTENCE = 90

check_entries = only_shown(
    lambda bad, shown: f"timeline entries {bad} do not exist: cite only the entry numbers listed ({', '.join(str(n) for n in sorted(shown))})"
)


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in re.findall(r"\d+", text)}


EntryCitations = Annotated[
    list[int],
    Field(min_length=1, max_length=4, description="Numbers of the timeline entries this sentence rests on, e.g. [2, 5]."),
    AfterValidator(check_entries),
]


class LeadSentenceDraft(BaseModel):
    text: str = Field(max_length=300, description="One sentence of the lead, using only facts from the cited entries.")
    entries: EntryCitations

    @model_validator(mode="after")
    def _numbers_from_cited_entries(self, info: ValidationInfo) -> LeadSentenceDraft:
        """Every number in the sentence (a date, a count) must be in the entries it cites: the cheapest
        check that a sentence rests on its citations rather than on the model's memory."""
        ctx = context_of(info)
        shown = ctx.get("shown")
        if not shown or not self.entries:
            return self
        cited = " ".join(shown[n] for n in self.entries if n in shown)
        extra = sorted(_numbers(self.text) - _numbers(cited), key=int)
        if not extra:
            return self
        if not ctx.get("lenient"):
            raise ValueError(f"the sentence gives {', '.join(extra)}, which entries {self.entries} do not: use only the cited entries' dates and figures")
        count_drop(ctx, "unsupported_numbers")
        self.entries = []  # a sentence citing nothing is dropped
        return self


class LeadDraft(BaseModel):
    """The lead paragraph of a briefing, written from the timeline entries only."""

    sentences: list[LeadSentenceDraft] = Field(
        min_length=1, max_length=LEAD_MAX_SENTENCES, description="3 to 5 sentences, each citing its timeline entries."
    )

    @model_validator(mode="after")
    def _enough_distinct_sentences(self, info: ValidationInfo) -> LeadDraft:
        """3 to 5 sentences (as many as there are entries, when fewer), none repeating another."""
        ctx = context_of(info)
        kept: list[LeadSentenceDraft] = []
        for k, sentence in enumerate(self.sentences, 1):
            twin = next((j for j, other in enumerate(kept, 1) if fuzz.token_set_ratio(_plain(sentence.text), _plain(other.text)) >= SAME_SENTENCE), None)
            if twin is None:
                kept.append(sentence)
            elif ctx.get("lenient"):
                count_drop(ctx, "repeated_sentences")
            else:
                raise ValueError(f"sentence {k} repeats sentence {twin}: say something else, or leave it out")
        self.sentences = kept
        wanted = min(LEAD_MIN_SENTENCES, len(ctx.get("shown") or {}) or LEAD_MIN_SENTENCES)
        if len(kept) < wanted and not ctx.get("lenient"):
            raise ValueError(f"write at least {wanted} sentences, each about different entries")
        return self


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def _entry_line(entry: TimelineEntry) -> str:
    when = f"{entry.date.value} ({entry.date.precision.value})" if entry.date.value else "date unknown"
    sources = ", ".join(str(c.source) for c in entry.citations)
    return f"[{entry.id[1:]}] {when} · {entry.type.value} · {entry.status.value}: {' '.join(entry.description.split())} (articles {sources})"


def _claim_lines(story: Story, per_group: int = 2, limit: int = 12) -> list[str]:
    """Who said what, briefly: each group's claims about timeline entries first, the biggest groups first."""
    lines = []
    for group in story.claims:
        claims = sorted(group.claims, key=lambda c: not c.entries)[:per_group]
        for claim in claims:
            about = f" (about entries {', '.join(t[1:] for t in claim.entries)})" if claim.entries else ""
            lines.append(f"- {group.label} · {claim.stance.value}: {' '.join(claim.claim.split())}{about}")
    return lines[:limit]


def lead_messages(story: Story, prompt: Prompt) -> list[dict[str, str]]:
    return prompt.messages(
        headline=story.headline,
        entries="\n".join(_entry_line(e) for e in story.timeline),
        claims="\n".join(_claim_lines(story)),
    )


def model_lead(story: Story, backend: Backend, *, retries: int = 1, prompt: Prompt | None = None) -> Lead:
    """The lead written by the model from the story's merged records; citations checked in code. An answer
    that stays invalid falls back to `records_lead`, saying so."""
    if not story.timeline:
        return records_lead(story)
    prompt = prompt or load_prompt("lead")
    shown = {int(e.id[1:]): f"{e.date.value or ''} {e.description}" for e in story.timeline}
    started = time.perf_counter()
    kwargs = {"response_model": LeadDraft, "messages": lead_messages(story, prompt), "max_retries": retries, "model": backend.model, **backend.settings}
    with call_stats() as stats:
        try:
            answer = structured_call(backend, kwargs, shown, story.id)
        except ExtractionError:  # cut off at the token limit
            answer = Answer(None, {"invalid_answers": 1})
    draft, dropped = answer.value, dict(answer.dropped)
    sentences = []
    for s in draft.sentences if draft else []:
        text = " ".join(s.text.split())
        if s.entries and text:
            sentences.append(LeadSentence(text=text, entries=[f"T{n}" for n in s.entries]))
        else:
            dropped["sentences"] = dropped.get("sentences", 0) + 1
    record = provenance(backend, prompt, stats, time.perf_counter() - started, dropped)
    if not sentences:
        fallback = records_lead(story)
        fallback.provenance = record
        fallback.note = f"the model gave no valid lead after {stats['attempts']} attempts: lead built from the records"
        return fallback
    return Lead(sentences=sentences, by="model", provenance=record)


def add_model_leads(briefing: Briefing, backend: Backend, *, retries: int = 1) -> None:
    for story in briefing.stories:
        story.lead = model_lead(story, backend, retries=retries)
        if story.lead.note and story.lead.by == "records" and story.timeline:
            briefing.warnings.append(f"{story.id}: {story.lead.note}")
