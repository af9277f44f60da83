"""`summarizer schema`: the JSON Schema of the output record, or of the model's first call."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from summarizer.schema import ArticleExtraction, ExtractionDraft


def schema(draft: Annotated[bool, typer.Option("--draft", help="The schema of the model's first call (sentence citations) instead of the output's.")] = False) -> None:
    """Print the JSON Schema of the output record."""
    model = ExtractionDraft if draft else ArticleExtraction
    typer.echo(json.dumps(model.model_json_schema(), indent=2))
