"""`summarizer batch`: the options of a dump's run; the run itself is summarizer.batch."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from summarizer.cli.options import BackendOptions, CacheOpt, NoCacheOpt, backend_from_options, format_of, with_backend_options
from summarizer.errors import SummarizerError
from summarizer.io.console import report, stderr


@with_backend_options
def batch(
    paths: Annotated[list[str], typer.Argument(help="Files, directories, globs (quoted: 'dump/**/*.txt'), JSONL/CSV/TSV/Parquet dumps, or - for stdin.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The JSONL output (.jsonl, or no suffix): one line per input, appended line by line. With --engine ray: a directory of part files (Parquet when named *.parquet).")],
    backend: BackendOptions,
    concurrency: Annotated[int, typer.Option("--concurrency", "-c", min=1, max=1024, help="Articles in flight at once. The embedded model runs one at a time: for throughput serve it with llama.cpp's or vLLM's server and use --base-url.")] = 8,
    rpm: Annotated[float | None, typer.Option("--rpm", min=0.1, help="Client-side limit: requests per minute (retries and re-asks count).")] = None,
    tpm: Annotated[float | None, typer.Option("--tpm", min=1, help="Client-side limit: tokens per minute (estimated per call, settled with the reported usage).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an earlier output: skip every id already in it.")] = False,
    retry_errors: Annotated[bool, typer.Option("--retry-errors", help="With --resume, also redo the inputs whose line is an error or partial record (that line is replaced).")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Start an existing output over.")] = False,
    no_cache: NoCacheOpt = False,
    cache_path: CacheOpt = None,
    text_column: Annotated[str, typer.Option("--text-column", help="JSON key or CSV column with the article text.")] = "text",
    id_column: Annotated[str, typer.Option("--id-column", help="... with the article id (else the path, else the content hash).")] = "id",
    title_column: Annotated[str, typer.Option("--title-column", help="... with the title.")] = "title",
    date_column: Annotated[str, typer.Option("--date-column", help="... with the publication date (ISO).")] = "date",
    url_column: Annotated[str, typer.Option("--url-column", help="... with the URL.")] = "url",
    input_format: Annotated[str | None, typer.Option("--input-format", help="jsonl, json, csv, tsv, parquet or text. Default: by file suffix; stdin is JSONL when it starts with {, else one article.")] = None,
    provider_batch: Annotated[bool, typer.Option("--provider-batch", help="Go through OpenAI's Batch API (half price, within 24 h): write requests, upload, poll, collect into the same output.")] = False,
    poll_interval: Annotated[float, typer.Option("--poll-interval", min=0.0, help="Seconds before the first poll of a provider batch; backs off to 5 minutes.")] = 10.0,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar (the summary is still printed).")] = False,
    engine: Annotated[str, typer.Option("--engine", help="live: asyncio on this machine. ray: Ray Data on a cluster (pip install -e \".[ray]\"); --out is then a directory of part files, Parquet when it is named *.parquet.")] = "live",
    ray_address: Annotated[str | None, typer.Option("--ray-address", help="With --engine ray: the cluster to join (auto, host:6379, ray://host:10001). Default: start Ray on this machine.")] = None,
    actors: Annotated[int, typer.Option("--actors", min=1, max=4096, help="With --engine ray: extraction actors, each with --concurrency articles in flight.")] = 2,
) -> None:
    """Structure a dump of articles: one JSONL line per input, concurrent, cached, resumable.

    Every input gets exactly one line: its extraction, or an error record
    `{id, status: "error", error: {type, message}, attempts, source}`; the batch goes on. After a crash or
    Ctrl-C, `--resume` does only what is missing. A run manifest (counts, tokens, cost, timing) is written
    beside the output. Exit code: 0 all done, else the worst error's code (2 input, 3 provider, 4 no valid
    record), 130 interrupted.

    The embedded default model runs one article at a time, in process. For throughput, serve a model
    with llama.cpp's or vLLM's server and point `--base-url` at it; `--concurrency` then applies.

    Examples:

        summarizer batch 'dump/**/*.txt' --out structured.jsonl

        summarizer batch articles.jsonl --out out.jsonl --model openai/gpt-4o-mini --concurrency 32 --rpm 500 --tpm 200000

        summarizer batch articles.csv --text-column body --id-column url --out out.jsonl --resume

        summarizer batch articles.jsonl --out out.jsonl --provider-batch --model openai/gpt-4o-mini

        summarizer batch articles.jsonl --out out.jsonl --base-url http://127.0.0.1:8000/v1 --model qwen2.5-7b

        summarizer batch articles.jsonl --engine ray --actors 4 --out out/ --base-url http://127.0.0.1:8000/v1 --model qwen2.5-7b
    """
    from summarizer.batch import BatchOptions, run_batch
    from summarizer.errors import ConfigError
    from summarizer.io.articles import Columns
    from summarizer.io.readers import INPUT_FORMATS

    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ConfigError(f"unknown --input-format {input_format!r}: choose one of {', '.join(INPUT_FORMATS)}")
    if engine not in ("live", "ray"):
        raise ConfigError(f"unknown --engine {engine!r}: choose live or ray")
    options = BatchOptions(
        inputs=paths,
        out=out,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        retries=backend.retries,
        resume=resume,
        retry_errors=retry_errors,
        overwrite=overwrite,
        cache=not no_cache,
        cache_path=cache_path,
        columns=Columns(text=text_column, id=id_column, title=title_column, date=date_column, url=url_column),
        input_format=input_format,
        provider_batch=provider_batch,
        poll_interval=poll_interval,
        base_url=backend.base_url,
        api_key_env=backend.api_key_env,
        progress=not no_progress,
        command=sys.argv[1:],
        engine=engine,
        ray_address=ray_address,
        actors=actors,
    )
    try:
        format_of(out, ("jsonl", "parquet") if engine == "ray" else ("jsonl",), "batch")
        result = run_batch(options, lambda: backend_from_options(backend), stderr)
    except SummarizerError as err:
        report(err)
        raise typer.Exit(err.exit_code) from None
    raise typer.Exit(result.exit_code)
