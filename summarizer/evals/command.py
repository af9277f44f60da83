"""`summarizer eval`: score a model (live) or a stored run (replay) against the fixtures, print tables, write
reports, and gate on a baseline. Registered on the CLI app in cli.py."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..cli import BaseUrlOpt, ModelOpt, ModelPathOpt, ModeOpt, RetriesOpt, TimeoutOpt, backend_from_options, report, stderr, warn
from ..errors import ConfigError, ExtractionError, FixtureError, SummarizerError
from .fixtures import Fixture, load_fixtures
from .gate import DEFAULT_TOLERANCE, compare, read_baseline, write_baseline
from .metrics import summarize
from .report import print_gate, print_scores, write_report
from .runs import RunLine, default_run_path, error_line, now, ok_line, pair_with, read_run, run_writer, write_line
from .scorers import score_all

if TYPE_CHECKING:
    from ..backends.base import Backend

REGRESSION_EXIT = 1


def eval_command(
    fixtures: Annotated[Path, typer.Option("--fixtures", help="Folder of fixtures (searched recursively) or one fixture file.")] = Path("evals/fixtures"),
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
    model_path: ModelPathOpt = None,
    mode: ModeOpt = None,
    retries: RetriesOpt = 1,
    timeout: TimeoutOpt = None,
    save_run: Annotated[Path | None, typer.Option("--save-run", help="Where a live eval writes its run (default `runs/<timestamp>.jsonl`).")] = None,
    replay: Annotated[Path | None, typer.Option("--replay", help="Re-score a stored run file: zero model calls.")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Compare headline metrics with this baseline; exit 1 on a regression.")] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0.0, help="Allowed drop per metric before the gate fails (absolute).")] = DEFAULT_TOLERANCE,
    write_baseline_to: Annotated[Path | None, typer.Option("--write-baseline", help="Write this run's headline metrics as the new baseline.")] = None,
    report_to: Annotated[Path | None, typer.Option("--report", help="Also write a report: .html (self-contained) or .md.")] = None,
) -> None:
    """Score extractions against hand-labeled fixtures (evals/README.md).

    Examples:

        summarizer eval                                          # live, embedded model, over evals/fixtures

        summarizer eval --model openai/gpt-4o-mini --save-run runs/gpt4omini.jsonl

        summarizer eval --replay runs/gpt4omini.jsonl           # offline: re-score a stored run

        summarizer eval --replay runs/new.jsonl --baseline evals/baseline.json --tolerance 0.02

        summarizer eval --fixtures other/fixtures --report report.html
    """
    try:
        if replay is not None and (model or base_url or model_path or mode or save_run):
            raise ConfigError("--replay re-scores a stored run: drop --model, --base-url, --model-path, --mode and --save-run")
        loaded, problems = load_fixtures(fixtures)
        for err in problems:
            report(err)
        worst = FixtureError.exit_code if problems else 0
        if not loaded:
            raise typer.Exit(worst)  # every fixture was broken, each already reported
        if replay is not None:
            pairs, label, run_worst = _replayed(loaded, replay)
        else:
            pairs, label, run_worst = _live(loaded, backend_from_options(model, base_url, model_path, mode, timeout), save_run or default_run_path(), retries)
        worst = max(worst, run_worst)
        worst = max(worst, _score_and_gate(pairs, label, baseline, tolerance, write_baseline_to, report_to, clean=worst == 0))
    except SummarizerError as err:
        report(err)
        raise typer.Exit(err.exit_code) from None
    raise typer.Exit(worst)


def _replayed(fixtures: list[Fixture], path: Path) -> tuple[list[tuple[Fixture, RunLine]], str, int]:
    run = read_run(path)
    pairs, notes = pair_with(fixtures, run)
    if not pairs:
        raise FixtureError("no fixture has a line in this run (was it made over another fixture folder?)", source=str(path))
    for message in run.problems:
        stderr.print(f"[red]error:[/red] {message}", markup=True, soft_wrap=True, highlight=False)
    for message in notes:
        warn("replay", message)
    return pairs, f"replay of {path}{_prompt_label(pairs)}", FixtureError.exit_code if run.problems else 0


def _live(fixtures: list[Fixture], backend: Backend, path: Path, retries: int) -> tuple[list[tuple[Fixture, RunLine]], str, int]:
    """Extract every fixture's article; each outcome is written to the run file as it arrives. A record the
    model never got valid is a score (schema-valid rate); a provider failure also fails the command."""
    from ..pipeline import extract

    pairs, worst = [], 0
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with run_writer(path) as sink, Progress(*columns, console=stderr, transient=True) as progress:
        task = progress.add_task(f"eval on {backend.id}", total=len(fixtures))
        for fixture in fixtures:
            progress.update(task, description=f"{fixture.id} on {backend.id}")
            started, clock = now(), time.perf_counter()
            try:
                line = ok_line(fixture.id, extract(fixture.article, backend, retries=retries), started, time.perf_counter() - clock)
            except SummarizerError as err:
                report(err)
                line = error_line(fixture.id, backend.id, err, started, time.perf_counter() - clock)
                worst = worst if isinstance(err, ExtractionError) else max(worst, err.exit_code)
            write_line(sink, line)
            pairs.append((fixture, line))
            progress.advance(task)
    stderr.print(f"run saved to {path}", highlight=False)
    return pairs, f"live run {path} on {backend.id}{_prompt_label(pairs)}", worst


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
        stderr.print(f"[red]regression:[/red] {', '.join(regressed)} dropped more than {tolerance:g} below {baseline}", markup=True, highlight=False)
        return REGRESSION_EXIT
    return 0
