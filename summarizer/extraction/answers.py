"""A run's model answers, kept as JSON, and the records they make. Every record is made from the answers'
JSON, live or replayed, so a run file that keeps them (evals/runs.py) re-makes its records without the
model, under any set of post-processing steps (`summarizer eval --replay RUN --rules`)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from summarizer.io.articles import Article
from summarizer.rules.attribution import Quotes
from summarizer.extraction.grounding import GroundedWindow
from summarizer.extraction.postprocess import PostSteps
from summarizer.schema import ClaimNote, Claim, Entity, EntityDraft, Event, EventNote, ExtractionDraft, KeyPointDraft, Summary, per_sentence, sentence_notes
from summarizer.rules.sentences import split_sentences
from summarizer.extraction.windows import merge_windows

NOTES = {"events": EventNote, "claims": ClaimNote}


class StepAnswer(BaseModel):
    """One model call's validated answer (null when it could not be read) and what validation dropped."""

    window: int
    kind: str  # "draft" (the first call) or a key of NOTES
    sentences: list[int] = []  # those an events or claims call asked about
    answer: dict[str, Any] | None = None
    dropped: dict[str, int] = {}

    def draft(self) -> BaseModel:
        if self.kind in NOTES:
            return per_sentence(NOTES[self.kind], tuple(self.sentences)).model_validate(self.answer)
        assert self.answer is not None  # a first call that could not be read fails the article
        # built, not validated: a key point whose every citation was dropped leniently has none, which the
        # schema's minimum would refuse; grounding drops it and counts it
        points = [KeyPointDraft.model_construct(**k) for k in self.answer["key_points"]]
        entities = [EntityDraft.model_validate(e) for e in self.answer["entities"]]
        return ExtractionDraft.model_construct(headline=self.answer["headline"], key_points=points, entities=entities)


def step_answer(window: int, kind: str, sentences: list[int], answer: BaseModel | None, dropped: dict[str, int]) -> StepAnswer:
    data = answer.model_dump(mode="json", by_alias=True) if answer is not None else None
    return StepAnswer(window=window, kind=kind, sentences=sentences, answer=data, dropped=dropped)


Grounded = tuple[Summary, list[Event], list[Claim], list[Entity], dict[str, int]]


def grounded(article: Article, answers: list[StepAnswer], steps: PostSteps) -> Grounded:
    """Summary, events, claims, entities and drop counts (validation's, then grounding's) of one article."""
    sentences = {s.n: s for s in split_sentences(article.text)}
    quotes = Quotes(article.text)
    dropped: dict[str, int] = {}
    drafts: dict[int, Any] = {}
    notes: dict[tuple[int, str], list[tuple[int, Any]]] = defaultdict(list)
    for step in answers:
        add_counts(dropped, step.dropped)
        if step.kind not in NOTES:
            drafts[step.window] = step.draft()
        elif step.answer is not None:
            notes[step.window, step.kind] += sentence_notes(step.draft())
    windows = [
        GroundedWindow(drafts[i], notes[i, "events"], notes[i, "claims"], sentences, article.published, quotes, steps)
        for i in sorted(drafts)
    ]
    summary, events, claims, entities, ungrounded = merge_windows(windows, article.text, steps)
    add_counts(dropped, ungrounded)
    return summary, events, claims, entities, dropped


def add_counts(counts: dict[str, int], more: dict[str, int]) -> None:
    for kind, n in more.items():
        counts[kind] = counts.get(kind, 0) + n
