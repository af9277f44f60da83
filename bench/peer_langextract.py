"""Benchmark: google's LangExtract against `summarizer`, side by side, on the same fixtures and the same model.

Both run the embedded default GGUF (Qwen2.5-Coder-1.5B Q4). LangExtract reaches it through its OpenAI
provider and `python -m llama_cpp.server` on 127.0.0.1 (started and stopped here); `summarizer` runs it in
process (or `--summarizer-run` re-scores a stored run file). LangExtract gets few-shot examples written for
this script (an invented article, never a fixture), its default chunking (max_char_buffer=1000) and the
extraction classes `event` (attributes type, agent, target, date) and `claim` (claimant, stance). Its
extractions become our `Event` / `Claim` records: evidence is the numbered sentences its char intervals
overlap, dates go through our resolver. Both are scored by the eval harness (summarizer/evals: alignment,
metrics); this file has no scorer of its own.

    pip install -e ".[bench]"     # langextract and llama_cpp.server's extras; nothing installs at run time
    python bench/peer_langextract.py [--fixtures evals/fixtures/test] [--limit N] [--skip-summarizer]
                                     [--summarizer-run evals/runs/x.jsonl] [--langextract-results earlier.json]
                                     [--out bench/results/peer_langextract.json]

LangExtract on llama_cpp.server: `use_schema_constraints=True` makes the OpenAI provider send
`response_format={"type": "json_schema", ...}`, which that server answers with HTTP 500. So schema
constraints are off: the provider then sends `{"type": "json_object"}` (llama.cpp's generic JSON grammar),
and with raw JSON coming back `fence_output=False`. The provider's OpenAI client gets a long timeout and no
retries: its default 600 s is shorter than one chunk on a busy 2-core machine, and each retry made the
server generate the whole answer again.

The machine is shared, so besides wall time per article the table shows CPU seconds per article (the
server's and this process's for LangExtract; this process's for summarizer).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import langextract as lx  # noqa: E402
from langextract.providers.openai import OpenAILanguageModel  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from summarizer.rules.dates import event_date  # noqa: E402
from summarizer.errors import SummarizerError  # noqa: E402
from summarizer.evals.fixtures import Fixture, load_fixtures  # noqa: E402
from summarizer.evals.metrics import Totals, summarize  # noqa: E402
from summarizer.evals.runs import RunLine, error_line, ok_line, pair_with, read_run  # noqa: E402
from summarizer.evals.scorers import ArticleResult, score_all  # noqa: E402
from summarizer.extraction.grounding import evidence  # noqa: E402
from summarizer.extraction.run import article_meta  # noqa: E402
from summarizer.schema import (  # noqa: E402
    Actor,
    ActorRole,
    ArticleExtraction,
    Claim,
    Event,
    EventType,
    Provenance,
    Stance,
    Summary,
    Usage,
)
from summarizer.rules.sentences import Sentence, split_sentences  # noqa: E402
from summarizer.llm.embedded.weights import DEFAULT_MODEL_NAME, ensure_default_model  # noqa: E402

DEFAULT_FIXTURES = ROOT / "evals" / "fixtures" / "test"
DEFAULT_OUT = ROOT / "bench" / "results" / "peer_langextract.json"
SERVER_START_TIMEOUT_S = 180  # loading a 1.1 GB GGUF on a busy 2-core machine
MAX_OUTPUT_TOKENS = 2048  # a 1.5B model can loop; without a cap the server generates until n_ctx is full
# The OpenAI client's default (600 s, 2 retries) is shorter than one chunk on a busy 2-core machine, and a
# retry makes the server generate the whole answer again: wait longer, never retry.
CLIENT_TIMEOUT_S = 3600.0
HEADLINE = ["events.f1", "typed_events.f1", "claims.f1", "claimant_claims.f1", "grounding"]

# --- LangExtract's task: prompt and few-shot examples (an invented article, not from evals/fixtures) -------

PROMPT = f"""Extract the events and the claims reported in the news text, in order of appearance.
Use the exact words of the text for extraction_text; never paraphrase; never overlap two extractions.
event: something done or planned in the world (sanctions imposed, weapons transferred, a strike, a missile
test, a vote or veto, an agreement, a meeting or visit, production started, an official statement,
condemnation, accusation or denial). Attributes: type, one of {", ".join(t.value for t in EventType)};
agent = who acts; target = who is acted upon (lists of names as written); date = the date words of the
text ("on Tuesday", "March 3"), or "" when none.
claim: a statement attributed to someone (who says what). Attributes: claimant = who says it, named as in
the text; stance, one of {", ".join(s.value for s in Stance)}."""

EXAMPLE_TEXT = (
    "OSLO, June 4 - Norway will send 20 air-defence launchers to Estonia, the government said on Monday. "
    'Defence Minister Bjorn Arild Gram told reporters the package "will close a gap on NATO\'s northern flank." '
    "Russia's embassy in Oslo condemned the decision as a provocation, state agency RIA reported. "
    "Moscow also denied that its jets had violated Estonian airspace last week. "
    "On Tuesday, the European Union imposed sanctions on two Russian defence firms. "
    "Estonian and Latvian defence ministers will meet in Riga next month to plan joint air patrols."
)


def _event(text: str, kind: EventType, agent: list[str], target: list[str], when: str) -> lx.data.Extraction:
    attrs = {"type": kind.value, "agent": agent, "target": target, "date": when}
    return lx.data.Extraction(extraction_class="event", extraction_text=text, attributes=attrs)


def _claim(text: str, claimant: str, stance: Stance) -> lx.data.Extraction:
    return lx.data.Extraction(extraction_class="claim", extraction_text=text, attributes={"claimant": claimant, "stance": stance.value})


EXAMPLES = [
    lx.data.ExampleData(
        text=EXAMPLE_TEXT,
        extractions=[
            _event("Norway will send 20 air-defence launchers to Estonia", EventType.arms_transfer, ["Norway"], ["Estonia"], "on Monday"),
            _claim("will close a gap on NATO's northern flank", "Bjorn Arild Gram", Stance.assert_),
            _claim("condemned the decision as a provocation", "Russia's embassy in Oslo", Stance.condemn),
            _claim("denied that its jets had violated Estonian airspace", "Moscow", Stance.deny),
            _event("the European Union imposed sanctions on two Russian defence firms", EventType.sanction,
                   ["European Union"], ["two Russian defence firms"], "On Tuesday"),
            _event("Estonian and Latvian defence ministers will meet in Riga", EventType.meeting_or_visit,
                   ["Estonian and Latvian defence ministers"], [], "next month"),
        ],
    )
]


def task_version() -> str:
    """A hash of the prompt and examples, recorded like our prompt versions."""
    blob = PROMPT + repr([(e.text, [(x.extraction_class, x.extraction_text, x.attributes) for x in e.extractions]) for e in EXAMPLES])
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


# --- llama_cpp.server as a subprocess ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path) -> None:
    """Poll until the server answers; a server that died or never answered ends the run with its log's tail
    (the log file itself is removed when the server is stopped)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"llama_cpp.server exited with code {proc.returncode} before answering; its log ends:\n{_tail(log)}")
        if _answers(url):
            return
        time.sleep(1)
    sys.exit(f"llama_cpp.server did not answer {url} within {SERVER_START_TIMEOUT_S} s; its log ends:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc). Wall time on a shared 2-core machine also counts
    everyone else's work; CPU time is what this extraction itself cost."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime: fields 14, 15 of stat


@dataclass
class Server:
    url: str
    pid: int


@contextmanager
def llama_server(model: Path) -> Iterator[Server]:
    """`python -m llama_cpp.server` (AMX-safe: bench/llama_server.py) on a free loopback port; yields its /v1
    URL and pid, stops it on exit. Its log goes to a file, not a pipe: a pipe nobody reads fills up and blocks
    the server."""
    port = free_port()
    cmd = [
        sys.executable, str(ROOT / "bench" / "llama_server.py"), "--model", str(model), "--model_alias", DEFAULT_MODEL_NAME,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192", "--n_threads", str(os.cpu_count() or 1),
    ]
    log = Path(tempfile.mkstemp(prefix="llama_server_", suffix=".log")[1])
    with log.open("w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(proc, f"http://127.0.0.1:{port}/v1/models", log)
        yield Server(f"http://127.0.0.1:{port}/v1", proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.unlink(missing_ok=True)


# --- LangExtract runs -------------------------------------------------------------------------------------


class CountingOpenAI(OpenAILanguageModel):
    """LangExtract's OpenAI provider, unchanged except that it keeps the token usage each response reports
    (the provider drops it), so the table can show LangExtract's tokens too."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._client = self._client.with_options(timeout=CLIENT_TIMEOUT_S, max_retries=0)
        self.usage = Usage()
        self._lock = threading.Lock()  # the provider may call from worker threads

    def _response_to_scored_output(self, response: Any) -> Any:
        if response.usage is not None:
            got = Usage(
                prompt_tokens=response.usage.prompt_tokens,
                completion_tokens=response.usage.completion_tokens,
                total_tokens=response.usage.total_tokens,
            )
            with self._lock:
                self.usage = self.usage + got
        return OpenAILanguageModel._response_to_scored_output(response)


class WarningCounter(logging.Handler):
    """Counts LangExtract's warnings (chunks dropped on a parse error, ...) instead of letting them scroll by."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage()[:300])


def langextract_model(base_url: str) -> CountingOpenAI:
    # max_workers=1: llama_cpp.server answers one request at a time anyway, and queued parallel requests
    # could run into the client's timeout on long articles; sequential requests also reuse the server's
    # KV-cached prompt prefix (the few-shot part).
    return CountingOpenAI(
        model_id=DEFAULT_MODEL_NAME, api_key="x", base_url=base_url, temperature=0.0, max_workers=1,
        max_output_tokens=MAX_OUTPUT_TOKENS,
    )


def run_langextract(model: CountingOpenAI, text: str) -> Any:
    return lx.extract(
        text_or_documents=text,
        prompt_description=PROMPT,
        examples=EXAMPLES,
        model=model,
        fence_output=False,  # json_object mode returns raw JSON, no ``` fences
        use_schema_constraints=False,  # json_schema response_format -> HTTP 500 on llama_cpp.server
        max_workers=1,
        batch_length=10,
        show_progress=False,
    )


# --- LangExtract extractions -> our schema ------------------------------------------------------------------


def _names(value: Any) -> list[str]:
    """An attribute the model gave as a list, a string or nothing -> clean names."""
    items = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    return [str(v).strip() for v in items if str(v).strip()]


def _enum(enum: type, value: Any, default: Any) -> Any:
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        return default


def cited_sentences(extraction: Any, sentences: list[Sentence]) -> list[int]:
    """Numbers of the sentences a char interval overlaps; none when LangExtract could not align the text."""
    span = extraction.char_interval
    if span is None or span.start_pos is None or span.end_pos is None:
        return []
    return [s.n for s in sentences if s.start < span.end_pos and span.start_pos < s.end]


def to_event(x: Any, eid: str, by_number: dict[int, Sentence], cited: list[int], published: date | None) -> Event:
    attrs = x.attributes or {}
    grounded = evidence(cited, by_number)
    actors = [Actor(name=n, role=ActorRole.agent) for n in _names(attrs.get("agent"))]
    actors += [Actor(name=n, role=ActorRole.target) for n in _names(attrs.get("target"))]
    when = " ".join(_names(attrs.get("date")))
    return Event(
        id=eid,
        type=_enum(EventType, attrs.get("type"), EventType.other),
        description=x.extraction_text.strip(),
        actors=actors,
        date=event_date(when, [e.text for e in grounded], published),  # our resolver, as the pipeline does
        evidence=grounded,
    )


def to_claim(x: Any, cid: str, by_number: dict[int, Sentence], cited: list[int]) -> Claim:
    attrs = x.attributes or {}
    return Claim(
        id=cid,
        claimant=" ".join(_names(attrs.get("claimant"))),
        claim=x.extraction_text.strip(),
        stance=_enum(Stance, attrs.get("stance"), Stance.assert_),
        evidence=evidence(cited, by_number),
    )


def to_records(document: Any, text: str, published: date | None) -> tuple[list[Event], list[Claim], dict[str, int]]:
    """Events and claims from LangExtract's extractions, with counts of what did not map cleanly."""
    sentences = split_sentences(text)
    by_number = {s.n: s for s in sentences}
    events: list[Event] = []
    claims: list[Claim] = []
    notes = {"unaligned": 0, "other_class": 0}
    for x in document.extractions or []:
        kind = (x.extraction_class or "").strip().lower()
        if kind not in ("event", "claim"):
            notes["other_class"] += 1
            continue
        cited = cited_sentences(x, sentences)
        notes["unaligned"] += not cited  # kept, with no evidence: LangExtract's output as it gave it
        if kind == "event":
            events.append(to_event(x, f"E{len(events) + 1}", by_number, cited, published))
        else:
            claims.append(to_claim(x, f"C{len(claims) + 1}", by_number, cited))
    return events, claims, notes


def langextract_line(fixture: Fixture, model: CountingOpenAI, warnings: WarningCounter, server_pid: int) -> tuple[RunLine, dict[str, Any]]:
    """One article through LangExtract, as a run line our scorer reads."""
    article = fixture.article
    model.usage, warnings.messages = Usage(), []
    started, clock, cpu = datetime.now(timezone.utc), time.perf_counter(), _cpu_pair(server_pid)
    try:
        document = run_langextract(model, article.text)
    except Exception as exc:  # any LangExtract failure is that article's error line, the run goes on
        return error_line(fixture.id, f"langextract/{DEFAULT_MODEL_NAME}", exc, started, time.perf_counter() - clock), {}
    latency = time.perf_counter() - clock
    cpu_s = _cpu_since(cpu, server_pid)
    events, claims, notes = to_records(document, article.text, article.published)
    provenance = Provenance(
        model=DEFAULT_MODEL_NAME, backend=f"langextract/{DEFAULT_MODEL_NAME}", mode="json_object",
        prompt_name="langextract-fewshot", prompt_version=task_version(), usage=model.usage,
        latency_s=round(latency, 3), attempts=1, dropped=notes, created_at=datetime.now(timezone.utc),
    )
    extraction = ArticleExtraction(
        article=article_meta(article, len(fixture.sentences)), summary=Summary(), events=events, claims=claims, provenance=provenance
    )
    return ok_line(fixture.id, extraction, started, latency), {**notes, "warnings": len(warnings.messages), "cpu_s": cpu_s}


def _cpu_pair(server_pid: int) -> tuple[float | None, float]:
    """CPU time so far of the server and of this process (LangExtract's own work: chunking, alignment)."""
    return cpu_seconds(server_pid), time.process_time()


def _cpu_since(before: tuple[float | None, float], server_pid: int) -> float | None:
    server, own = _cpu_pair(server_pid)
    if server is None or before[0] is None:
        return None
    return round(server - before[0] + own - before[1], 2)


def langextract_lines(fixtures: list[Fixture], console: Console) -> tuple[list[RunLine], list[dict[str, Any]]]:
    model_path = ensure_default_model()
    warnings = WarningCounter()
    logging.getLogger("absl").addHandler(warnings)  # LangExtract logs through absl -> the "absl" logger
    logging.getLogger("absl").propagate = False
    lines, notes = [], []
    with llama_server(model_path) as server:
        console.print(f"llama_cpp.server up at {server.url}")
        model = langextract_model(server.url)
        for fixture in fixtures:
            line, note = langextract_line(fixture, model, warnings, server.pid)
            lines.append(line)
            notes.append({"fixture_id": fixture.id, **note, "warning_messages": list(warnings.messages)})
            console.print(f"  langextract  {fixture.id}: {_line_summary(line)}")
    return lines, notes


# --- summarizer runs --------------------------------------------------------------------------------------


def summarizer_lines(fixtures: list[Fixture], console: Console) -> tuple[list[RunLine], list[dict[str, Any]]]:
    """Our pipeline in process on the embedded backend, as `summarizer eval` runs it."""
    from summarizer.llm import resolve_backend
    from summarizer.extraction.run import extract

    backend = resolve_backend()
    lines, notes = [], []
    for fixture in fixtures:
        started, clock, cpu = datetime.now(timezone.utc), time.perf_counter(), time.process_time()
        try:
            line = ok_line(fixture.id, extract(fixture.article, backend), started, time.perf_counter() - clock)
        except SummarizerError as err:
            line = error_line(fixture.id, backend.id, err, started, time.perf_counter() - clock)
        lines.append(line)
        notes.append({"fixture_id": fixture.id, "cpu_s": round(time.process_time() - cpu, 2)})
        console.print(f"  summarizer   {fixture.id}: {_line_summary(line)}")
    return lines, notes


def stored_lines(fixtures: list[Fixture], path: Path, console: Console) -> list[RunLine]:
    pairs, notes = pair_with(fixtures, read_run(path))
    for note in notes:
        console.print(f"  note: {note}", highlight=False)
    return [line for _, line in pairs]


def stored_langextract(fixtures: list[Fixture], path: Path) -> tuple[list[RunLine], list[dict[str, Any]]]:
    """LangExtract's run lines and notes kept in an earlier results file: re-scored, not re-run (~45 min here)."""
    system = json.loads(path.read_text())["systems"]["LangExtract"]
    ids = {f.id for f in fixtures}
    lines = [RunLine.model_validate(raw) for raw in system["run_lines"]]
    return [line for line in lines if line.fixture_id in ids], [n for n in system["notes"] if n["fixture_id"] in ids]


def _line_summary(line: RunLine) -> str:
    if line.extraction is None:
        return f"error: {line.error.message if line.error else '?'}"
    x = line.extraction
    return f"{len(x.events)} events, {len(x.claims)} claims, {x.provenance.latency_s:.1f} s, {x.provenance.usage.total_tokens} tokens"


# --- scoring and the table --------------------------------------------------------------------------------


def scored(fixtures: list[Fixture], lines: list[RunLine]) -> tuple[list[ArticleResult], Totals]:
    by_id = {f.id: f for f in fixtures}
    results = score_all([(by_id[line.fixture_id], line) for line in lines])
    return results, summarize([r.score for r in results])


def figures(results: list[ArticleResult], totals: Totals, notes: list[dict[str, Any]]) -> dict[str, Any]:
    """The table's numbers: micro figures from the harness, plus median seconds and tokens per article."""
    seconds = [r.score.latency_s for r in results]
    cpu = [n["cpu_s"] for n in notes if n.get("cpu_s") is not None]
    tokens = [r.score.tokens for r in results]
    return {
        **{name: totals.micro.get(name) for name in HEADLINE},
        "schema_valid": totals.micro.get("schema_valid"),
        "seconds_per_article_median": statistics.median(seconds) if seconds else None,
        "cpu_seconds_per_article_median": statistics.median(cpu) if cpu else None,
        "tokens_per_article_median": statistics.median(tokens) if tokens else None,
        "tokens_total": totals.tokens,
    }


def _cell(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def print_table(console: Console, rows: dict[str, dict[str, Any]], articles: int) -> None:
    table = Table(title=f"LangExtract vs summarizer, {articles} article(s): micro F1s; seconds and tokens are medians per article")
    headers = ["system", "event F1", "typed F1", "claim F1", "claimant F1", "grounding", "s/article", "cpu s/article", "tokens/article", "tokens"]
    for header in headers:
        table.add_column(header, justify="left" if header == "system" else "right")
    for name, f in rows.items():
        table.add_row(
            name, *(_cell(f[k]) for k in HEADLINE), _cell(f["seconds_per_article_median"], 1), _cell(f["cpu_seconds_per_article_median"], 1),
            _cell(f["tokens_per_article_median"], 0), str(f["tokens_total"]),
        )
    console.print(table)
    if len(rows) == 2:
        le, ours = rows.values()
        if le["seconds_per_article_median"] and ours["seconds_per_article_median"] is not None:
            console.print(f"summarizer time / LangExtract time (median per article): {ours['seconds_per_article_median'] / le['seconds_per_article_median']:.2f}")


def write_results(out: Path, args: argparse.Namespace, fixtures: list[Fixture], systems: dict[str, dict[str, Any]]) -> None:
    report = {
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "fixtures": str(args.fixtures),
        "langextract_lines_from": str(args.langextract_results) if args.langextract_results else "this run",
        "articles": [f.id for f in fixtures],
        "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
        "model": DEFAULT_MODEL_NAME,
        "langextract_settings": {
            "version": getattr(lx, "__version__", "?"), "provider": "OpenAILanguageModel via llama_cpp.server",
            "response_format": "json_object", "use_schema_constraints": False, "fence_output": False,
            "max_char_buffer": 1000, "temperature": 0.0, "max_output_tokens": MAX_OUTPUT_TOKENS, "task_version": task_version(),
        },
        "systems": systems,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")


def system_record(fixtures: list[Fixture], lines: list[RunLine], notes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    results, totals = scored(fixtures, lines)
    return {
        "figures": figures(results, totals, notes or []),
        "micro": totals.micro,
        "macro": totals.macro,
        "per_article": [
            {"fixture_id": r.fixture.id, "status": r.line.status, "latency_s": r.score.latency_s, "tokens": r.score.tokens,
             "events": vars(r.score.events), "claims": vars(r.score.claims), "typed_events": vars(r.score.typed_events),
             "claimant_claims": vars(r.score.claimant_claims)}
            for r in results
        ],
        "notes": notes or [],
        "run_lines": [json.loads(line.model_dump_json(exclude_none=True)) for line in lines],  # replayable
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES, help="fixture folder or file (default evals/fixtures/test)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N fixtures (sorted by path)")
    parser.add_argument("--skip-summarizer", action="store_true", help="run LangExtract only")
    parser.add_argument("--summarizer-run", type=Path, default=None, help="score this stored run file for summarizer instead of running it")
    parser.add_argument("--langextract-results", type=Path, default=None,
                        help="re-score LangExtract's run lines from this earlier results file instead of running it")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results JSON (default bench/results/peer_langextract.json)")
    return parser.parse_args()


def main() -> None:
    # A plain `kill` of this script must stop the server too: turn SIGTERM into SystemExit so finally runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args()
    console = Console(highlight=False)
    fixtures, errors = load_fixtures(args.fixtures)
    for err in errors:
        console.print(f"skipped: {err.one_line()}")
    fixtures = fixtures[: args.limit] if args.limit else fixtures
    if not fixtures:
        sys.exit("no fixtures to run")
    if args.langextract_results is not None:
        le_lines, le_notes = stored_langextract(fixtures, args.langextract_results)
    else:
        le_lines, le_notes = langextract_lines(fixtures, console)
    systems = {"LangExtract": system_record(fixtures, le_lines, le_notes)}
    if args.summarizer_run is not None:
        ours = stored_lines(fixtures, args.summarizer_run, console)
        systems["summarizer"] = system_record([f for f in fixtures if f.id in {x.fixture_id for x in ours}], ours)
    elif not args.skip_summarizer:
        systems["summarizer"] = system_record(fixtures, *summarizer_lines(fixtures, console))
    print_table(console, {name: s["figures"] for name, s in systems.items()}, len(fixtures))
    write_results(args.out, args, fixtures, systems)
    console.print(f"results written to {args.out}")


if __name__ == "__main__":
    main()
