"""`summarizer brief`: articles (extracted through the pipeline) or a JSONL of extractions (no model calls for
them) in; a merged, cited briefing out as Markdown, HTML or JSON. Registered on the CLI app in cli.py."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from summarizer.brief.build import build_briefing
from summarizer.brief.inputs import BriefInput, is_extraction_jsonl, read_extractions
from summarizer.brief.models import Skipped
from summarizer.cli.options import BackendOptions, CacheOpt, NoCacheOpt, backend_from_options, format_of, output, with_backend_options
from summarizer.errors import InputError, SummarizerError
from summarizer.io.articles import Article
from summarizer.io.console import report, stderr, warn
from summarizer.io.inputs import STDIN, expand_inputs, no_articles
from summarizer.io.readers import read_input
from summarizer.schema import ArticleExtraction

if TYPE_CHECKING:
    from summarizer.llm.base import Backend


class BriefFormat(str, Enum):
    md = "md"
    html = "html"
    json = "json"


def _format(fmt: BriefFormat | None, out: Path | None) -> BriefFormat:
    named = format_of(out, tuple(f.value for f in BriefFormat), "brief")
    return fmt or (BriefFormat(named) if named else BriefFormat.md)


class _Extractor:
    """Article -> extraction through the one pipeline, with the result cache when it is available."""

    def __init__(self, backend: Backend, retries: int, use_cache: bool, cache_path: Path | None):
        from summarizer.extraction.run import extract
        from summarizer.llm.prompts import load_prompt

        self.backend, self.retries, self.extract = backend, retries, extract
        self.cache = self.key = None
        if use_cache:
            try:
                from summarizer.extraction.cache import Keyer, open_cache
            except ImportError:  # a checkout without the cache module: every article is extracted
                return
            self.cache, self.key = open_cache(cache_path), Keyer(backend, load_prompt(), retries)

    def __call__(self, article: Article) -> ArticleExtraction:
        key = self.key(article) if self.key else None
        hit = self.cache.get(key, article) if self.cache else None
        if hit is not None:
            return ArticleExtraction.model_validate_json(hit)
        with stderr.status(f"extracting {article.id} on {self.backend.id}", spinner="dots"):
            record = self.extract(article, self.backend, retries=self.retries)
        if self.cache:
            self.cache.put(key, article, record.model_dump_json())
        return record


@with_backend_options
def brief_command(
    paths: Annotated[
        list[str],
        typer.Argument(help="Article files, directories or globs (extracted by the model), or a JSONL of extractions from `summarize`/`batch` (no model calls)."),
    ],
    backend: BackendOptions,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout; the suffix picks the format (.md, .html, .json).")] = None,
    fmt: Annotated[BriefFormat | None, typer.Option("--format", "-f", help="md, html (one self-contained page) or json. Default: from --out, else md.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The briefing's title (default: the latest article's headline).")] = None,
    no_llm: Annotated[bool, typer.Option("--no-llm", help="No model calls: a deterministic briefing from extraction records alone (a JSONL).")] = False,
    no_cache: NoCacheOpt = False,
    cache_path: CacheOpt = None,
) -> None:
    """A briefing across related articles: one merged timeline, who said what, a cited lead.

    Examples:

        summarizer brief seeds/*.txt

        summarizer brief 'dump/2024-05-*.txt' --out brief.html --title "Russia-DPRK arms transfers"

        summarizer brief structured.jsonl --out brief.md

        summarizer brief structured.jsonl --no-llm --out brief.html
    """
    try:
        worst = _brief(paths, out, _format(fmt, out), title, no_llm, not no_cache, cache_path, backend)
    except SummarizerError as err:
        report(err)
        raise typer.Exit(err.exit_code) from None
    raise typer.Exit(worst)


def _read(paths: list[str]) -> tuple[list[BriefInput], list[Article], list[Skipped], list[SummarizerError]]:
    """Extraction records (JSONL), articles to extract, records skipped (error lines), unreadable inputs. The
    paths, directories and globs expand as for `summarize` and `batch`; each file is a JSONL of extractions
    or holds articles."""
    inputs: list[BriefInput] = []
    articles: list[Article] = []
    skipped: list[Skipped] = []
    problems: list[SummarizerError] = []
    for path in expand_inputs(paths):
        if isinstance(path, InputError):
            problems.append(path)
        elif path != STDIN and is_extraction_jsonl(Path(path)):
            records, bad = read_extractions(Path(path))
            inputs += records
            skipped += bad
        else:
            for item in read_input(path):
                (problems if isinstance(item, InputError) else articles).append(item)
    return inputs, articles, skipped, problems


def _brief(
    paths: list[str], out: Path | None, fmt: BriefFormat, title: str | None, no_llm: bool, use_cache: bool, cache_path: Path | None, options: BackendOptions
) -> int:
    from summarizer.brief.lead import add_model_leads
    from summarizer.brief.render import to_html, to_markdown

    inputs, articles, skipped, problems = _read(paths)
    if not inputs and not articles and not skipped and len(problems) <= 1:
        raise problems[0] if problems else no_articles(paths)
    for item in skipped:
        warn(item.source, f"skipped: {item.reason}")
    failed: list[SummarizerError] = list(problems)
    for problem in problems:
        report(problem)
    backend: Backend | None = None
    if articles and no_llm:
        for article in articles:
            err = InputError("--no-llm makes no model calls and this is an article, not an extraction: brief the JSONL that `summarize` or `batch` wrote", source=article.label)
            report(err)
            failed.append(err)
    elif articles:
        backend = backend_from_options(options)
        extractor = _Extractor(backend, options.retries, use_cache, cache_path)
        for article in articles:
            for message in article.warnings:
                warn(article.origin, message)
            try:
                inputs.append(BriefInput(extractor(article), article.text, article.origin))
            except SummarizerError as err:
                report(err)
                failed.append(err)
    skipped += [Skipped(source=err.source or "input", reason=" ".join(str(err).split())) for err in failed]
    worst = max((err.exit_code for err in failed), default=0)
    if not inputs:
        report(InputError(f"no articles to brief: {len(skipped)} input{'s' * (len(skipped) != 1)} skipped"))
        return max(worst, InputError.exit_code)

    briefing = build_briefing(inputs, title=title, skipped=skipped)
    if not no_llm:
        try:
            backend = backend or backend_from_options(options)
            with stderr.status(f"writing the lead on {backend.id}", spinner="dots"):
                add_model_leads(briefing, backend, retries=options.retries)
        except SummarizerError as err:  # the briefing stands without the model's lead
            report(err)
            briefing.warnings.append(f"no lead from the model ({err.one_line()}): lead built from the records")
            worst = max(worst, err.exit_code)
    for message in briefing.warnings:
        warn("brief", message)
    with output(out) as sink:
        if fmt is BriefFormat.html:
            sink.write(to_html(briefing))
        elif fmt is BriefFormat.json:
            sink.write(briefing.model_dump_json(indent=2) + "\n")
        else:
            sink.write(to_markdown(briefing))
    return worst
