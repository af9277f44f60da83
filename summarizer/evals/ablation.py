"""Rule ablation (`summarizer eval --replay RUN --rules`): every fixture's record re-made from the model
answers its run line keeps, first with every post-processing step on (which must give the recorded record),
then with each step off in turn; per step, the change in every headline metric against all on. Zero model
calls."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from summarizer.extraction.answers import grounded
from summarizer.errors import FixtureError
from summarizer.extraction.postprocess import ALL_STEPS, STEP_NAMES, STEPS, PostSteps
from summarizer.evals.fixtures import Fixture
from summarizer.evals.metrics import HEADLINE, summarize
from summarizer.evals.runs import RunLine
from summarizer.evals.scorers import score_all

Pairs = list[tuple[Fixture, RunLine]]


@dataclass(frozen=True)
class Ablation:
    fixtures: int
    all_on: dict[str, float | None]  # headline metrics with every step on
    deltas: dict[str, dict[str, float | None]]  # step -> metric -> (step off) - (all on)
    unreproduced: list[str]  # fixtures whose record all steps on did not re-make


def ablate(pairs: Pairs, run: Path) -> Ablation:
    """Raises FixtureError when a scored line has no answers (a run made before they were kept)."""
    missing = [f.id for f, line in pairs if line.extraction is not None and line.answers is None]
    if missing:
        raise FixtureError(
            f"--rules needs a run made with model answers (a live eval, --save-run); no answers for {', '.join(missing)}", source=str(run)
        )
    on = remade(pairs, ALL_STEPS)
    unreproduced = [f.id for (f, old), (_, new) in zip(pairs, on) if old.extraction != new.extraction]
    base = headline(on)
    deltas = {name: _minus(headline(remade(pairs, PostSteps.without([name]))), base) for name in STEP_NAMES}
    return Ablation(len(pairs), base, deltas, unreproduced)


def remade(pairs: Pairs, post: PostSteps) -> Pairs:
    """The lines with their records re-made from their answers under `post`; failed lines as they were."""
    out = []
    for fixture, line in pairs:
        record = line.extraction
        if record is not None and line.answers is not None:
            summary, events, claims, entities, dropped = grounded(fixture.article, line.answers, post)
            provenance = record.provenance.model_copy(update={"dropped": dropped})
            update = {"summary": summary, "events": events, "claims": claims, "entities": entities, "provenance": provenance}
            line = line.model_copy(update={"extraction": record.model_copy(update=update)})
        out.append((fixture, line))
    return out


def headline(pairs: Pairs) -> dict[str, float | None]:
    return summarize([r.score for r in score_all(pairs)]).headline()


def _minus(now: dict[str, float | None], base: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if now[k] is None or base[k] is None else now[k] - base[k] for k in HEADLINE}


# --- output --------------------------------------------------------------------------------------------


def _delta(value: float | None) -> str:
    if value is None:
        return "n/a"
    return "·" if round(value, 3) == 0 else f"{value:+.3f}"


def _value(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def rows(ablation: Ablation) -> list[list[str]]:
    """The table's rows: all steps on, then each step off with its change in every headline metric."""
    first = ["all steps on", *(_value(ablation.all_on[m]) for m in HEADLINE)]
    return [first, *([f"{name} off", *(_delta(ablation.deltas[name][m]) for m in HEADLINE)] for name in STEP_NAMES)]


def print_ablation(console: Console, ablation: Ablation, label: str) -> None:
    table = Table(title=f"rule ablation, {ablation.fixtures} fixtures: change with one step off ({label})", title_justify="left")
    for column in ["step", *HEADLINE]:
        table.add_column(column, justify="left" if column == "step" else "right")
    for row in rows(ablation):
        table.add_row(*row)
    console.print(table)


def markdown(ablation: Ablation) -> str:
    head = ["step", *HEADLINE]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * len(HEADLINE) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows(ablation)]) + "\n"


def write_ablation(path: Path, ablation: Ablation, label: str) -> None:
    """`.json` (figures, and what each step does) or Markdown (the table)."""
    if path.suffix == ".json":
        steps = {name: {"description": STEPS[name], "delta": ablation.deltas[name]} for name in STEP_NAMES}
        text = json.dumps({"run": label, "fixtures": ablation.fixtures, "all_on": ablation.all_on, "steps": steps}, indent=2) + "\n"
    else:
        text = markdown(ablation)
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"cannot write the ablation table ({exc.strerror})", source=str(path)) from None
