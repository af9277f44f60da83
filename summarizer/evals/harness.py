"""The eval flow behind `summarizer eval`: load fixtures, get run lines (live from a backend, or replayed from
a run file), score, print, write the report and baseline, and gate."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from summarizer.io.console import report, stderr, warn
from summarizer.errors import ExtractionError, FixtureError, SummarizerError
from summarizer.evals.fixtures import Fixture, load_fixtures
from summarizer.evals.gate import compare, read_baseline, write_baseline
from summarizer.evals.metrics import summarize
from summarizer.evals.report import print_gate, print_scores, write_report
from summarizer.evals.runs import RunLine, default_run_path, error_line, now, ok_line, pair_with, read_run, run_writer, write_line
from summarizer.evals.scorers import score_all

if TYPE_CHECKING:
    from summarizer.llm.base import Backend

REGRESSION_EXIT = 1


def run_eval(
    fixtures_dir: Path,
    *,
    replay: Path | None,
    backend: Callable[[], Backend] | None,
    save_run: Path | None,
    retries: int,
    baseline: Path | None,
    tolerance: float,
    write_baseline_to: Path | None,
    report_to: Path | None,
    rules: bool = False,
    rules_out: Path | None = None,
) -> int:
    """The exit code: 2 for broken fixtures or run lines, 3 for provider failures, 1 for a regression, else 0.
    `backend` is called only for a live eval, after the fixtures loaded. With `rules`, a replay prints the
    rule ablation (written to `rules_out` too) instead of scores."""
    loaded, problems = load_fixtures(fixtures_dir)
    for err in problems:
        report(err)
    worst = FixtureError.exit_code if problems else 0
    if not loaded:
        return worst  # every fixture was broken, each already reported
    if replay is not None:
        pairs, label, run_worst = _replayed(loaded, replay)
    else:
        assert backend is not None
        pairs, label, run_worst = _live(loaded, backend(), save_run or default_run_path(), retries)
    worst = max(worst, run_worst)
    if rules:
        assert replay is not None  # the command allows --rules with --replay only
        return max(worst, _ablation(pairs, replay, label, rules_out))
    return max(worst, _score_and_gate(pairs, label, baseline, tolerance, write_baseline_to, report_to, clean=worst == 0))


def _replayed(fixtures: list[Fixture], path: Path) -> tuple[list[tuple[Fixture, RunLine]], str, int]:
    run = read_run(path)
    pairs, notes = pair_with(fixtures, run)
    if not pairs:
        raise FixtureError("no fixture has a line in this run (was it made over another fixture folder?)", source=str(path))
    for message in run.problems:
        stderr.print(f"[red]error:[/red] {escape(message)}", markup=True, soft_wrap=True, highlight=False)
    for message in notes:
        warn("replay", message)
    return pairs, f"replay of {path}{_prompt_label(pairs)}", FixtureError.exit_code if run.problems else 0


def _live(fixtures: list[Fixture], backend: Backend, path: Path, retries: int) -> tuple[list[tuple[Fixture, RunLine]], str, int]:
    """Extract every fixture's article; each outcome is written to the run file as it arrives. A record the
    model never got valid is a score (schema-valid rate); a provider failure also fails the command."""
    from summarizer.extraction.run import extract_answered

    pairs, worst = [], 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with run_writer(path) as sink, Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(f"eval on {backend.id}", total=len(fixtures))
        for fixture in fixtures:
            progress.update(task, description=f"{fixture.id} on {backend.id}")
            started, clock = now(), time.perf_counter()
            try:
                record, answers = extract_answered(fixture.article, backend, retries=retries)
                line = ok_line(fixture.id, record, started, time.perf_counter() - clock, answers)
            except SummarizerError as err:
                report(err)
                line = error_line(fixture.id, backend.id, err, started, time.perf_counter() - clock)
                worst = worst if isinstance(err, ExtractionError) else max(worst, err.exit_code)
            write_line(sink, line)
            pairs.append((fixture, line))
            progress.advance(task)
    stderr.print(f"run saved to {path}", highlight=False)
    return pairs, f"live run {path} on {backend.id}{_prompt_label(pairs)}", worst


def _ablation(pairs: list[tuple[Fixture, RunLine]], run: Path, label: str, out: Path | None) -> int:
    from summarizer.evals.ablation import ablate, print_ablation, write_ablation

    ablation = ablate(pairs, run)
    for fixture_id in ablation.unreproduced:
        warn("rules", f"{fixture_id}: all steps on did not re-make the recorded record; the code changed since the run")
    print_ablation(Console(highlight=False), ablation, label)
    if out is not None:
        write_ablation(out, ablation, label)
        stderr.print(f"ablation written to {out}", highlight=False)
    return 0


def _prompt_label(pairs: list[tuple[Fixture, RunLine]]) -> str:
    prov = next((line.extraction.provenance for _, line in pairs if line.extraction), None)
    return f" ({prov.backend}, prompt {prov.prompt_name}@{prov.prompt_version})" if prov else ""


def _score_and_gate(
    pairs: list[tuple[Fixture, RunLine]], label: str, baseline: Path | None, tolerance: float, write_to: Path | None, report_to: Path | None, *, clean: bool
) -> int:
    """Print scores, write the report and baseline, and return 1 when the gate finds a regression."""
    if not pairs:
        return 0
    results = score_all(pairs)
    totals = summarize([r.score for r in results])
    console = Console(highlight=False)
    print_scores(console, results, totals)
    if report_to is not None:
        write_report(report_to, results, totals, label)
        stderr.print(f"report written to {report_to}", highlight=False)
    if write_to is not None:
        if not clean:
            raise FixtureError("not writing a baseline from an incomplete eval (fix the errors above first)", source=str(write_to))
        write_baseline(write_to, totals, fixtures=len(pairs), run=label)
        stderr.print(f"baseline written to {write_to}", highlight=False)
    if baseline is None:
        return 0
    rows = compare(read_baseline(baseline), totals.headline(), tolerance)
    print_gate(console, rows, tolerance)
    regressed = [row.metric for row in rows if row.regressed]
    if regressed:
        stderr.print(f"[red]regression:[/red] {escape(', '.join(regressed))} dropped more than {tolerance:g} below {escape(str(baseline))}", markup=True, highlight=False)
        return REGRESSION_EXIT
    return 0
