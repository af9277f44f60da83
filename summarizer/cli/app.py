"""The `summarizer` command: one module per command, registered here. Expected failures print one line
naming the input and the cause and map to exit codes (bad input 2, provider/config 3, no valid record 4);
`--verbose` adds the detail."""

from __future__ import annotations

import logging
import sys
from typing import Annotated

import typer

from summarizer.cli import batch, brief, evaluate, export, models, schema, summarize
from summarizer.errors import SummarizerError
from summarizer.io.console import report, state, stderr

app = typer.Typer(
    help="Turn news articles into typed, grounded events and claims.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import PackageNotFoundError, version

        from summarizer.schema import SCHEMA_VERSION

        try:
            number = version("summarizer")
        except PackageNotFoundError:  # a bare source tree on PYTHONPATH
            number = "unknown (not installed)"
        typer.echo(f"summarizer {number} (record schema {SCHEMA_VERSION})")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More detail on errors and progress.")] = False,
    _: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="The version, and the schema version of the records it writes.")] = False,
) -> None:
    state["verbose"] = verbose
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # instructor logs each failed attempt at ERROR over many lines; the command's one-line error says it
    logging.getLogger("instructor").setLevel(logging.NOTSET if verbose else logging.CRITICAL)


app.command("summarize")(summarize.summarize)
app.command("batch")(batch.batch)
app.command("schema")(schema.schema)
app.command("eval")(evaluate.eval_command)
app.command("brief")(brief.brief_command)
app.command("export")(export.export)
app.command("models")(models.models)


def main() -> None:
    """Console entry point: expected errors are one line; anything else is a bug, shown briefly."""
    try:
        app()
    except SummarizerError as err:
        report(err)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        stderr.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: one line unless --verbose
        if state["verbose"]:
            raise
        stderr.print(f"internal error: {type(exc).__name__}: {exc} (rerun with --verbose for the traceback)", markup=False)
        sys.exit(1)
