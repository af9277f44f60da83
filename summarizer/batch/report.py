"""The end of a batch: its cost, the manifest beside the output, and the summary on stderr."""

from __future__ import annotations

import json
import os
import shlex
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rich.markup import escape

from summarizer.batch.output import manifest_path
from summarizer.batch.run import BatchResult, BatchRun
from summarizer.llm.base import Backend
from summarizer.llm.prices import cost_usd
from summarizer.schema import SCHEMA_VERSION


def finish(run: BatchRun, extra: dict[str, Any] | None = None) -> BatchResult:
    """Close the run, write its manifest and print its summary; `extra` adds the provider batch's fields."""
    r = run.close()
    r.cost_usd = cost(run.backend, r.prompt_tokens, r.completion_tokens, provider_batch=run.options.provider_batch)
    print_summary(run, write_manifest(run, extra or {}))
    return r


def cost(backend: Backend, prompt_tokens: int, completion_tokens: int, *, provider_batch: bool = False) -> float | None:
    """List price of the tokens, to the hundredth of a cent (the Batch API's half price for a provider batch)."""
    usd = cost_usd(backend.id, prompt_tokens, completion_tokens, batch_api=provider_batch)
    return None if usd is None else round(usd, 4)


def write_manifest(run: BatchRun, extra: dict[str, Any]) -> Path | None:
    """The manifest's path, or None when it could not be written (a warning says why)."""
    r, options = run.result, run.options
    processed = r.written
    manifest = {
        "status": "interrupted" if r.interrupted else "stopped" if r.fatal else "completed",
        "started_at": run.started_at.isoformat(),
        "finished_at": datetime.now(timezone.utc).isoformat(),
        "command": shlex.join(["summarizer", *options.command]) if options.command else None,
        "inputs": options.inputs,
        "output": str(options.out),
        "backend": run.backend.id,
        "model": run.backend.model,
        "mode": run.backend.mode.value,
        "settings": run.backend.settings,
        "prompt": {"name": run.prompt.name, "version": run.prompt.version},
        "schema_version": SCHEMA_VERSION,
        "options": {
            "concurrency": options.concurrency if run.backend.acreate is not None else 1,
            "rpm": options.rpm,
            "tpm": options.tpm,
            "retries": options.retries,
            "resume": options.resume,
            "retry_errors": options.retry_errors,
            "cache": str(run.cache.path) if run.cache is not None else None,
            "provider_batch": options.provider_batch,
        },
        "counts": {
            "extracted": r.extracted,
            "cached": r.cached,
            "errors": r.errors,
            "partial": r.partial,
            "skipped": r.skipped,
            "duplicates": r.duplicates,
            "error_types": dict(r.error_types),
            "output_lines": run.out.lines,
        },
        "tokens": {"prompt": r.prompt_tokens, "completion": r.completion_tokens, "total": r.prompt_tokens + r.completion_tokens},
        "cost_usd": r.cost_usd,
        "wall_s": round(r.wall_s, 3),
        "client_cpu_s": round(r.cpu_s, 3),
        "throughput_per_s": round(processed / r.wall_s, 2) if r.wall_s > 0 else None,
        "fatal": r.fatal,
        **extra,
    }
    path = manifest_path(options.out)
    temp = path.with_name(f".{path.name}.tmp")
    try:
        temp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)  # a disk-full manifest: no empty temp file left behind
        run.console.print(f"[yellow]warning:[/yellow] cannot write the manifest {escape(str(path))} ({exc.strerror})", markup=True)
        return None
    return path


def print_summary(run: BatchRun, manifest: Path | None) -> None:
    r, console = run.result, run.console
    processed = r.written
    rate = processed / r.wall_s if r.wall_s > 0 else 0.0
    head = "[yellow]interrupted[/yellow]" if r.interrupted else "[red]stopped[/red]" if r.fatal else "[green]done[/green]"
    partial = f" ({r.partial:,} partial: redo with --retry-errors)" if r.partial else ""
    console.print(
        f"{head}: {r.seen:,} inputs in {r.wall_s:,.1f} s ({rate:,.1f}/s): {r.extracted:,} extracted{partial}, {r.cached:,} from cache, "
        f"{r.errors:,} errors, {r.skipped:,} already done, {r.duplicates:,} duplicate ids",
        markup=True,
        highlight=False,
        soft_wrap=True,
    )
    if r.error_types:
        console.print("errors by type: " + ", ".join(f"{kind} {n:,}" for kind, n in r.error_types.most_common()), highlight=False, markup=False, soft_wrap=True)
    cost = f", cost ≈ ${r.cost_usd:,.4f} (list price)" if r.cost_usd is not None else f", cost: unknown price ({run.backend.id} is not in the price table)"
    console.print(f"tokens: {r.prompt_tokens:,} prompt + {r.completion_tokens:,} completion{cost}", highlight=False, markup=False, soft_wrap=True)
    if run.out.cut_bytes:
        console.print(f"repaired: a partial last line ({run.out.cut_bytes:,} bytes, from a killed run) was cut off and redone", highlight=False, markup=False)
    if run.out.retrying:
        console.print(f"retried: {run.out.retrying:,} error records were replaced (--retry-errors)", highlight=False, markup=False)
    console.print(f"output: {run.options.out} ({run.out.lines:,} lines) · manifest: {manifest or 'not written'}", highlight=False, markup=False, soft_wrap=True)
    if r.fatal:
        console.print(f"[red]error:[/red] {escape(r.fatal)}", markup=True, highlight=False, soft_wrap=True)
    if r.interrupted or r.fatal:
        console.print(f"resume with: {run.resume_command()}", highlight=False, markup=False, soft_wrap=True)
