"""Score records and the metrics computed from them: pure functions of `list[ArticleScore]`.

Conventions: P/R/F1 with nothing predicted and nothing expected is 1.0 (an article with no events, and none
predicted, is right); an empty side with a non-empty other side scores 0 (a failed article gets precision 0,
not a vacuous 1). An accuracy with no pairs to judge is None ("n/a"), never 0. Micro sums the
counts over articles; macro averages the per-article values over the articles where they are defined.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Counts:
    """Items predicted, expected, and matched (true positives) for one precision/recall measure."""

    pred: int = 0
    gold: int = 0
    matched: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.pred + other.pred, self.gold + other.gold, self.matched + other.matched)

    @property
    def precision(self) -> float:
        return self.matched / self.pred if self.pred else float(self.gold == 0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else float(self.pred == 0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Ratio:
    """Hits out of judged cases, for accuracies and rates."""

    hit: int = 0
    total: int = 0

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.hit + other.hit, self.total + other.total)

    @property
    def value(self) -> float | None:
        return self.hit / self.total if self.total else None


@dataclass(frozen=True)
class ArticleScore:
    """Everything measured on one fixture; `valid` is False when there was no schema-valid record."""

    fixture_id: str
    valid: bool
    events: Counts = Counts()
    typed_events: Counts = Counts()  # a match counts only if the type is right
    claims: Counts = Counts()
    claimant_claims: Counts = Counts()  # a match counts only if the claimant is right
    entities: Counts = Counts()
    event_type: Ratio = Ratio()
    actor_role: Ratio = Ratio()
    claimant: Ratio = Ratio()
    stance: Ratio = Ratio()
    date_exact: Ratio = Ratio()
    date_within: Ratio = Ratio()
    grounding: Ratio = Ratio()
    tokens: int = 0
    latency_s: float = 0.0
    attempts: int = 0
    cost_usd: float | None = None


COUNTS = ["events", "typed_events", "claims", "claimant_claims", "entities"]
RATIOS = ["event_type", "actor_role", "claimant", "stance", "date_exact", "date_within", "grounding"]
# What the baseline gate compares: quality only (tokens and latency depend on the machine).
HEADLINE = [
    "events.f1", "typed_events.f1", "claims.f1", "claimant_claims.f1", "entities.f1",
    "event_type", "actor_role", "claimant", "stance", "date_exact", "date_within", "grounding",
    "schema_valid", "macro.events.f1", "macro.claims.f1",
]


@dataclass(frozen=True)
class Totals:
    """Overall metrics: `micro` and `macro` map metric names ("events.f1", "stance") to values."""

    articles: int
    micro: dict[str, float | None] = field(default_factory=dict)
    macro: dict[str, float | None] = field(default_factory=dict)
    tokens: int = 0
    latency_s: float = 0.0
    attempts: int = 0
    cost_usd: float | None = None

    def headline(self) -> dict[str, float | None]:
        merged = {**self.micro, **{f"macro.{k}": v for k, v in self.macro.items()}}
        return {name: merged.get(name) for name in HEADLINE}


def article_metrics(score: ArticleScore) -> dict[str, float | None]:
    """One article's values by metric name."""
    values: dict[str, float | None] = {}
    for name in COUNTS:
        counts: Counts = getattr(score, name)
        values.update({f"{name}.precision": counts.precision, f"{name}.recall": counts.recall, f"{name}.f1": counts.f1})
    values.update({name: getattr(score, name).value for name in RATIOS})
    values["schema_valid"] = float(score.valid)
    return values


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def summarize(scores: list[ArticleScore]) -> Totals:
    """Micro (pooled counts) and macro (mean of per-article values) over all scored articles."""
    micro: dict[str, float | None] = {}
    for name in COUNTS:
        pooled = sum((getattr(s, name) for s in scores), Counts())
        micro.update({f"{name}.precision": pooled.precision, f"{name}.recall": pooled.recall, f"{name}.f1": pooled.f1})
    for name in RATIOS:
        micro[name] = sum((getattr(s, name) for s in scores), Ratio()).value
    micro["schema_valid"] = sum(s.valid for s in scores) / len(scores) if scores else None
    per_article = [article_metrics(s) for s in scores]
    macro = {name: _mean([m[name] for m in per_article]) for name in micro}
    costs = [s.cost_usd for s in scores]
    return Totals(
        articles=len(scores),
        micro=micro,
        macro=macro,
        tokens=sum(s.tokens for s in scores),
        latency_s=sum(s.latency_s for s in scores),
        attempts=sum(s.attempts for s in scores),
        cost_usd=None if any(c is None for c in costs) else sum(c for c in costs if c is not None),
    )
