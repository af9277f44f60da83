"""The `summarizer` command: app.py registers one module per command; nothing imports this package."""

from summarizer.cli.app import app, main

__all__ = ["app", "main"]
