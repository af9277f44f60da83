"""`summarizer eval`: the command's options and exit code; the flow is in harness.py. Registered on the CLI
app in cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.options import BackendOptions, backend_from_options, format_of, with_backend_options
from summarizer.io.console import report
from summarizer.errors import ConfigError, FixtureError, SummarizerError
from summarizer.evals.gate import DEFAULT_TOLERANCE


@with_backend_options
def eval_command(
    backend: BackendOptions,
    fixtures: Annotated[Path, typer.Option("--fixtures", help="Folder of fixtures (searched recursively) or one fixture file.")] = Path("evals/fixtures"),
    save_run: Annotated[Path | None, typer.Option("--save-run", help="Where a live eval writes its run (default `runs/<timestamp>.jsonl`).")] = None,
    replay: Annotated[Path | None, typer.Option("--replay", help="Re-score a stored run file: zero model calls.")] = None,
    baseline: Annotated[Path | None, typer.Option("--baseline", help="Compare headline metrics with this baseline; exit 1 on a regression.")] = None,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0.0, help="Allowed drop per metric before the gate fails (absolute).")] = DEFAULT_TOLERANCE,
    write_baseline_to: Annotated[Path | None, typer.Option("--write-baseline", help="Write this run's headline metrics as the new baseline.")] = None,
    report_to: Annotated[Path | None, typer.Option("--report", help="Also write a report: .html (self-contained) or .md.")] = None,
    rules: Annotated[bool, typer.Option("--rules", help="With --replay: score the run with each post-processing step off in turn (rule ablation).")] = False,
    rules_out: Annotated[Path | None, typer.Option("--rules-out", help="Also write the ablation table: .json or .md.")] = None,
) -> None:
    """Score extractions against hand-labeled fixtures (evals/README.md).

    Examples:

        summarizer eval                                          # live, embedded model, over evals/fixtures

        summarizer eval --model openai/gpt-4o-mini --save-run runs/gpt4omini.jsonl

        summarizer eval --replay runs/gpt4omini.jsonl           # offline: re-score a stored run

        summarizer eval --replay runs/new.jsonl --baseline evals/baseline.json --tolerance 0.02

        summarizer eval --fixtures other/fixtures --report report.html

        summarizer eval --replay runs/dev.jsonl --fixtures evals/fixtures/dev --rules   # what each code rule is worth
    """
    from summarizer.evals.harness import run_eval  # imported here: numpy, rapidfuzz, yaml and jinja2 stay out of other commands' start-up

    try:
        if replay is not None and (backend.chosen() or save_run):
            given = " and ".join(backend.chosen() + ["--save-run"] * bool(save_run))
            raise ConfigError(f"--replay re-scores a stored run: drop {given}")
        if (rules or rules_out) and (replay is None or baseline or write_baseline_to or report_to):
            raise ConfigError("--rules re-scores a stored run's answers: give --replay RUN, and drop --baseline, --write-baseline and --report")
        if report_to is not None and format_of(report_to, ("html", "md"), "eval --report") is None:  # said before a live run spends anything
            raise FixtureError("report must end in .html or .md", source=str(report_to))
        if rules_out is not None:
            format_of(rules_out, ("json", "md"), "eval --rules-out")
        model = None if replay is not None else lambda: backend_from_options(backend)
        worst = run_eval(fixtures, replay=replay, backend=model, save_run=save_run, retries=backend.retries,
                         baseline=baseline, tolerance=tolerance, write_baseline_to=write_baseline_to, report_to=report_to,
                         rules=rules or rules_out is not None, rules_out=rules_out)
    except SummarizerError as err:
        report(err)
        raise typer.Exit(err.exit_code) from None
    raise typer.Exit(worst)


