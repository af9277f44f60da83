"""`summarizer batch --provider-batch`: the same extractions through OpenAI's Batch API (half price, done
within 24 h).

1. prepare: stream the inputs; what needs no model call (ids already done, bad inputs, cache hits) is written
   at once; every other article becomes one request line per model call. The request body is exactly what
   the live call sends (`ExtractionRun.chat_body`: instructor turns the run's call into the body for the
   backend's mode), so prompt, schema, mode and settings are the same. (instructor's own `BatchProcessor`
   is not used: it writes its own strict `json_schema` request with its own settings and holds the whole
   job in memory.)
2. submit: upload each request file (at most 50,000 requests, ~190 MB) and create the batch; the ids are saved
   in a state file beside the output at once, so a killed process re-attaches instead of paying twice.
3. poll with backoff until every batch ends (Ctrl-C leaves them running: `--resume` collects them later).
4. collect: download results, map them back by `custom_id`, then validate and ground each answer with the
   pipeline's code (sentence citations checked, quotes checked, offsets computed). A batch cannot re-ask, so
   an invalid citation or quote is dropped and counted (as the live path does after its re-asks); a
   failed or missing result is an error record, redone by `--resume --retry-errors`.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import openai
from openai.types.chat import ChatCompletion

from summarizer.io.articles import Article
from summarizer.llm.openai_compat import endpoint_key
from summarizer.batch.run import BatchRun
from summarizer.errors import ConfigError, ExtractionError, ProviderError
from summarizer.extraction.run import ExtractionRun
from summarizer.schema import ArticleExtraction

MAX_REQUESTS = 50_000  # per batch (OpenAI's limit)
MAX_BYTES = 190 * 2**20  # per request file (OpenAI's limit is 200 MB)
POLL_CAP_S = 300.0
TERMINAL = ("completed", "failed", "expired", "cancelled")
ENDPOINT = "/v1/chat/completions"


def work_dir(out: Path) -> Path:
    """Request, article and result files of the provider batch for `out`, and its state."""
    return out.with_name((out.stem if out.suffix else out.name) + ".provider-batch")


@dataclass
class _Part:
    """One request file, and the batch made of it."""

    n: int
    requests: int = 0
    size: int = 0
    batch_id: str | None = None
    input_file_id: str | None = None
    status: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    counts: dict[str, int] | None = None
    errors: str | None = None

    @property
    def request_file(self) -> str:
        return f"requests-{self.n}.jsonl"

    @property
    def article_file(self) -> str:
        return f"articles-{self.n}.jsonl"


class ProviderBatch:
    def __init__(self, run: BatchRun):
        self.job = run
        self.backend = run.backend
        self.options = run.options
        if self.backend.acreate is None or not self.backend.id.startswith(("openai/", "openai-compatible/")):
            raise ConfigError("--provider-batch needs OpenAI (--model openai/NAME) or a server with the Batch API (--base-url URL --model NAME)")
        api_key = endpoint_key(self.options.base_url, self.options.api_key_env)  # OPENAI_API_KEY goes to OpenAI only
        self.client = openai.OpenAI(base_url=self.options.base_url, api_key=api_key, timeout=60.0, max_retries=3)
        self.dir = work_dir(self.options.out)
        self.state_path = self.dir / "state.json"
        self.parts: list[_Part] = []

    # -- orchestration ------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        saved = self._load_state()
        if saved and not (self.options.resume or self.options.retry_errors):
            self.job.console.print(f"note: discarding the earlier provider batch in {self.dir} (--overwrite)", highlight=False, markup=False)
            saved = None
        if saved:
            self.parts = saved
            self.job.console.print(f"re-attaching to provider batch {', '.join(p.batch_id or '?' for p in self.parts)}", highlight=False, markup=False)
            self.job.progress.update(self.job.task, description="provider batch")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)
            self._prepare()
        try:
            if self.parts:
                self._submit()
                self._poll()
                self._collect()
                shutil.rmtree(self.dir, ignore_errors=True)
        except KeyboardInterrupt:
            self.job.result.interrupted = True
            if any(p.batch_id for p in self.parts):
                self.job.console.print("the provider batch keeps running at the provider; --resume collects it", highlight=False, markup=False)
        return {"provider_batches": [{"batch_id": p.batch_id, "status": p.status, "requests": p.requests, "counts": p.counts} for p in self.parts]}

    # -- 1. prepare ---------------------------------------------------------------------------------

    def _prepare(self) -> None:
        self.job.progress.update(self.job.task, description="preparing")
        self.dir.mkdir(parents=True, exist_ok=True)
        part: _Part | None = None
        requests: BinaryIO | None = None
        articles: BinaryIO | None = None
        seq = 0
        try:
            for item in self.job.items():
                if self.job.stopping:
                    break
                admitted = self.job.admit(item)
                if admitted is None:
                    continue
                article, key = admitted
                lines = self._request_lines(article, seq)
                size = sum(len(line) for line in lines)
                if part is None or part.requests + len(lines) > MAX_REQUESTS or (part.requests and part.size + size > MAX_BYTES):
                    for handle in (requests, articles):
                        if handle is not None:
                            handle.close()
                    part = _Part(n=len(self.parts) + 1)
                    self.parts.append(part)
                    requests = (self.dir / part.request_file).open("wb")
                    articles = (self.dir / part.article_file).open("wb")
                requests.writelines(lines)  # type: ignore[union-attr]
                articles.write(_article_line(article, seq, key, len(lines)))  # type: ignore[union-attr]
                part.requests += len(lines)
                part.size += size
                seq += 1
        finally:
            for handle in (requests, articles):
                if handle is not None:
                    handle.close()
        self._save_state()

    def _request_lines(self, article: Article, seq: int) -> list[bytes]:
        extraction = ExtractionRun(article, self.backend, prompt=self.job.prompt, retries=self.options.retries)
        lines = []
        for i, step in enumerate(extraction.steps):
            line = {"custom_id": f"{seq}.{i}", "method": "POST", "url": ENDPOINT, "body": extraction.chat_body(step)}
            lines.append(json.dumps(line, ensure_ascii=False, default=str).encode() + b"\n")
        return lines

    # -- 2. submit ----------------------------------------------------------------------------------

    def _submit(self) -> None:
        for part in self.parts:
            if part.batch_id:
                continue
            self.job.progress.update(self.job.task, description=f"uploading {part.request_file}")
            with (self.dir / part.request_file).open("rb") as handle:
                uploaded = self._call(lambda: self.client.files.create(file=(part.request_file, handle), purpose="batch"))
            part.input_file_id = uploaded.id
            batch = self._call(
                lambda: self.client.batches.create(
                    input_file_id=uploaded.id,
                    endpoint=ENDPOINT,
                    completion_window="24h",
                    metadata={"tool": "summarizer batch", "output": str(self.options.out)[-500:]},
                )
            )
            part.batch_id, part.status = batch.id, batch.status
            self._save_state()  # from here on a re-run re-attaches rather than paying twice
            self.job.console.print(f"submitted provider batch {batch.id} ({part.requests:,} requests)", highlight=False, markup=False)

    def _call(self, fn: Any) -> Any:
        try:
            return fn()
        except openai.APIError as exc:
            raise ProviderError(f"{self.backend.id}: Batch API: {' '.join(str(exc).split())[:300]}") from exc

    # -- 3. poll ------------------------------------------------------------------------------------

    def _poll(self) -> None:
        wait = max(0.0, self.options.poll_interval)
        while True:
            for part in self.parts:
                if part.status in TERMINAL:
                    continue
                try:
                    batch = self.client.batches.retrieve(part.batch_id)  # type: ignore[arg-type]
                except (openai.APIConnectionError, openai.APITimeoutError, openai.RateLimitError, openai.InternalServerError):
                    continue  # transient: poll again later
                except openai.APIError as exc:
                    raise ProviderError(f"{self.backend.id}: Batch API: {' '.join(str(exc).split())[:300]}") from exc
                part.status = batch.status
                part.output_file_id, part.error_file_id = batch.output_file_id, batch.error_file_id
                counts = batch.request_counts
                part.counts = {"total": counts.total, "completed": counts.completed, "failed": counts.failed} if counts else None
                if batch.errors and batch.errors.data:
                    part.errors = "; ".join(f"{e.code}: {e.message}" for e in batch.errors.data)[:500]
            self._save_state()
            self._show_status()
            if all(p.status in TERMINAL for p in self.parts):
                return
            time.sleep(wait)
            wait = min(POLL_CAP_S, max(wait * 1.5, 0.05))

    def _show_status(self) -> None:
        done = sum((p.counts or {}).get("completed", 0) + (p.counts or {}).get("failed", 0) for p in self.parts)
        total = sum(p.requests for p in self.parts)
        statuses = ", ".join(sorted({p.status or "?" for p in self.parts}))
        self.job.progress.update(self.job.task, description=f"provider batch {statuses} {done:,}/{total:,} requests")

    # -- 4. collect ---------------------------------------------------------------------------------

    def _collect(self) -> None:
        self.job.progress.update(self.job.task, description="collecting")
        for part in self.parts:
            index = _ResultIndex()
            for file_id, name in ((part.output_file_id, "output"), (part.error_file_id, "errors")):
                if file_id:
                    path = self.dir / f"{name}-{part.n}.jsonl"
                    if not path.exists():
                        self._download(file_id, path)
                    index.add(path)
            try:
                with (self.dir / part.article_file).open("rb") as articles:
                    for line in articles:
                        self._collect_article(json.loads(line), index, part)
            finally:
                index.close()

    def _download(self, file_id: str, path: Path) -> None:
        temp = path.with_suffix(".part")
        try:
            with self.client.files.with_streaming_response.content(file_id) as response:
                response.stream_to_file(temp)
        except openai.APIError as exc:
            raise ProviderError(f"{self.backend.id}: cannot download batch results {file_id}: {' '.join(str(exc).split())[:200]}") from exc
        temp.replace(path)

    def _collect_article(self, saved: dict[str, Any], index: _ResultIndex, part: _Part) -> None:
        article = _article_from(saved["article"])
        if self.job.out.has(article.id):  # collected before the process was stopped
            self.job.result.skipped += 1
            self.job.advance()
            return
        results = [index.get(f"{saved['seq']}.{i}") for i in range(saved["calls"])]
        try:
            record = self.extraction(article, results, part)
        except (ProviderError, ExtractionError) as exc:
            self.job.write_error(article.id, exc, sum(r is not None for r in results))
            return
        self.job.write_extraction(article, saved["key"], record)

    def extraction(self, article: Article, results: list[dict[str, Any] | None], part: _Part) -> ArticleExtraction:
        """Validate and ground the batch's answers for one article, as the live path does (no re-ask)."""
        extraction = ExtractionRun(article, self.backend, prompt=self.job.prompt, retries=self.options.retries)
        for step, result in zip(extraction.steps, results):
            extraction.accept_completion(step, self._completion(article, result, part))
        return extraction.result()

    def _completion(self, article: Article, result: dict[str, Any] | None, part: _Part) -> ChatCompletion:
        if result is None:
            why = f": {part.errors}" if part.errors else ""
            raise ProviderError(
                f"{self.backend.id}: provider batch {part.batch_id} ended {part.status!r} without an answer for this article{why}",
                source=article.label,
            )
        response = result.get("response") or {}
        body = response.get("body")
        if result.get("error") or response.get("status_code") != 200 or not isinstance(body, dict):
            error = result.get("error") or (body.get("error") if isinstance(body, dict) else None) or {}
            message = error.get("message") if isinstance(error, dict) else str(error or body)
            raise ProviderError(
                f"{self.backend.id}: provider batch answered HTTP {response.get('status_code', '?')}: {' '.join(str(message).split())[:200]}",
                source=article.label,
            )
        try:
            return ChatCompletion.model_validate(body)
        except ValueError as exc:
            raise ProviderError(f"{self.backend.id}: provider batch returned something that is not a chat completion ({exc})", source=article.label) from None

    # -- state --------------------------------------------------------------------------------------

    def _save_state(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        temp = self.state_path.with_suffix(".tmp")
        temp.write_text(json.dumps({"output": str(self.options.out), "parts": [vars(p) for p in self.parts]}, indent=2))
        temp.replace(self.state_path)

    def _load_state(self) -> list[_Part] | None:
        try:
            state = json.loads(self.state_path.read_text())
            parts = [_Part(**p) for p in state["parts"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        # prepared but never submitted: the inputs are streamed again instead (cheaper than trusting half a file)
        return parts if parts and any(p.batch_id for p in parts) else None


class _ResultIndex:
    """custom_id -> where its result line is, over the downloaded result files (offsets, not lines, in memory)."""

    def __init__(self) -> None:
        self.files: list[BinaryIO] = []
        self.where: dict[str, tuple[int, int]] = {}

    def add(self, path: Path) -> None:
        handle = path.open("rb")
        self.files.append(handle)
        offset = 0
        for line in handle:
            try:
                custom_id = json.loads(line).get("custom_id")
            except (ValueError, AttributeError):
                custom_id = None
            if custom_id is not None:
                self.where.setdefault(str(custom_id), (len(self.files) - 1, offset))
            offset += len(line)

    def get(self, custom_id: str) -> dict[str, Any] | None:
        found = self.where.get(custom_id)
        if found is None:
            return None
        handle = self.files[found[0]]
        handle.seek(found[1])
        return json.loads(handle.readline())

    def close(self) -> None:
        for handle in self.files:
            handle.close()


def _article_line(article: Article, seq: int, key: str, calls: int) -> bytes:
    saved = {
        "seq": seq,
        "key": key,
        "calls": calls,
        "article": {
            "id": article.id,
            "text": article.text,
            "title": article.title,
            "published": article.published.isoformat() if article.published else None,
            "source": article.source,
            "url": article.url,
            "origin": article.origin,
        },
    }
    return json.dumps(saved, ensure_ascii=False).encode("utf-8", "surrogatepass") + b"\n"


def _article_from(saved: dict[str, Any]) -> Article:
    published = date.fromisoformat(saved["published"]) if saved.get("published") else None
    return Article(
        id=saved["id"],
        text=saved["text"],
        title=saved.get("title"),
        published=published,
        source=saved.get("source"),
        url=saved.get("url"),
        origin=saved.get("origin") or "",
    )
