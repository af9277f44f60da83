"""The terminal: one stderr console for every command and the one-line shape of errors and warnings.
Below the commands, so the eval and brief flows report without importing the CLI."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from summarizer.errors import SummarizerError

stderr = Console(stderr=True, highlight=False)
state = {"verbose": False}  # set once by the CLI's --verbose


def report(err: SummarizerError) -> None:
    # escaped: messages quote input (paths, CSV headers), and `[/x]` there must print, not parse as markup
    stderr.print(f"[red]error:[/red] {escape(err.one_line())}", markup=True, soft_wrap=True)
    if state["verbose"] and err.__cause__ is not None:
        stderr.print(f"  caused by: {err.__cause__!r}", markup=False, soft_wrap=True)


def warn(source: str, message: str) -> None:
    stderr.print(f"[yellow]warning:[/yellow] {escape(source)}: {escape(message)}", markup=True, soft_wrap=True)
