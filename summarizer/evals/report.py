"""Reports: rich tables in the terminal; `--report x.html` / `x.md` files people read.

The files show per-article scores, then per article the expected and predicted items side by side
(matched pairs on one row, misses and false positives marked) and the article text with cited sentences
highlighted. HTML is self-contained (inline CSS and JS, no network, `html_page`'s CSP) and every string is
escaped by jinja2's autoescape; Markdown cells go through `markdown_escape`, since Markdown renders raw HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from summarizer.io import markdown_escape as md
from summarizer.errors import FixtureError
from summarizer.io.html_page import page, render_page
from summarizer.schema import Claim, Entity, Event
from summarizer.match.align import Aliases, Alignment, alias_table, same_name
from summarizer.evals.gate import GateRow
from summarizer.evals.metrics import Totals, article_metrics
from summarizer.evals.scorers import ArticleResult, date_within

# (metric name, column title, terminal title) for the per-article tables; terminals are narrow
ARTICLE_COLUMNS = [
    ("events.f1", "events F1", "ev"),
    ("typed_events.f1", "typed-event F1", "typed"),
    ("claims.f1", "claims F1", "cl"),
    ("claimant_claims.f1", "claimant-right F1", "clmt"),
    ("entities.f1", "entities F1", "ent"),
    ("event_type", "type acc", "type"),
    ("actor_role", "role acc", "role"),
    ("stance", "stance acc", "stnc"),
    ("date_within", "date acc", "date"),
    ("grounding", "grounding", "grnd"),
]
# (metric name, label) for the overall table, in reading order
OVERALL_ROWS = [
    ("events.precision", "event precision"), ("events.recall", "event recall"), ("events.f1", "event F1"),
    ("typed_events.f1", "typed-event F1"),
    ("claims.precision", "claim precision"), ("claims.recall", "claim recall"), ("claims.f1", "claim F1"),
    ("claimant_claims.f1", "claimant-right claim F1"),
    ("entities.precision", "entity precision"), ("entities.recall", "entity recall"), ("entities.f1", "entity F1"),
    ("event_type", "type accuracy (matched events)"), ("actor_role", "actor-role accuracy"),
    ("claimant", "claimant accuracy (matched claims)"), ("stance", "stance accuracy"),
    ("date_exact", "date accuracy, exact"), ("date_within", "date accuracy, within precision"),
    ("grounding", "grounding rate"), ("schema_valid", "schema-valid rate"),
]


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _usage_line(totals: Totals) -> str:
    cost = "unknown price" if totals.cost_usd is None else f"${totals.cost_usd:.4f}"
    return (
        f"{totals.articles} articles · {totals.tokens:,} tokens · {totals.latency_s:.1f} s model time · "
        f"{totals.attempts} attempts · cost {cost}"
    )


# --- terminal --------------------------------------------------------------------------------------------


def print_scores(console: Console, results: list[ArticleResult], totals: Totals) -> None:
    table = Table(title="per article (F1 and accuracies; see the overall table for names)", title_justify="left", pad_edge=False)
    table.add_column("fixture", overflow="fold", min_width=12)
    table.add_column("ok")
    for _, _, short in ARTICLE_COLUMNS:
        table.add_column(short, justify="right")
    table.add_column("tokens", justify="right")
    table.add_column("s", justify="right")
    for result in results:
        values = article_metrics(result.score)
        ok = "[green]yes[/green]" if result.score.valid else "[red]no[/red]"
        cells = [fmt(values[name]) for name, _, _ in ARTICLE_COLUMNS]
        table.add_row(result.fixture.id, ok, *cells, f"{result.score.tokens:,}", f"{result.score.latency_s:.1f}")
    console.print(table)
    overall = Table(title="overall", title_justify="left")
    overall.add_column("metric")
    overall.add_column("micro", justify="right")
    overall.add_column("macro", justify="right")
    for name, label in OVERALL_ROWS:
        overall.add_row(label, fmt(totals.micro.get(name)), fmt(totals.macro.get(name)))
    console.print(overall)
    console.print(_usage_line(totals), highlight=False)


def print_gate(console: Console, rows: list[GateRow], tolerance: float) -> None:
    table = Table(title=f"baseline gate (tolerance {tolerance:g})", title_justify="left")
    for column in ("metric", "baseline", "now", "delta", ""):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for row in rows:
        delta = "n/a" if row.delta is None else f"{row.delta:+.3f}"
        arrow = f"[red]{row.arrow} regression[/red]" if row.regressed else row.arrow
        table.add_row(row.metric, fmt(row.baseline, 3), fmt(row.now, 3), delta, arrow)
    console.print(table)


# --- report files ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    title: str
    text: str
    details: list[str]
    sentences: list[int]


@dataclass(frozen=True)
class Row:
    kind: str  # "match", "miss" (expected, not predicted) or "false-positive"
    gold: ItemView | None
    pred: ItemView | None
    score: float | None
    wrong: list[str]  # fields of a matched pair that disagree


def _event_view(e: Event) -> ItemView:
    actors = ", ".join(f"{a.name} ({a.role.value})" for a in e.actors) or "none"
    when = f"{e.date.value} ({e.date.precision.value})" if e.date.value else "unknown"
    return ItemView(e.type.value, e.description, [f"actors: {actors}", f"date: {when}", f"status: {e.status.value}"], [x.sentence for x in e.evidence])


def _claim_view(c: Claim) -> ItemView:
    details = [f"attribution: {c.attribution.value}"] + ([f"quote: “{c.quote}”"] if c.quote else [])
    return ItemView(f"{c.claimant} · {c.stance.value}", c.claim, details, [x.sentence for x in c.evidence])


def _entity_view(e: Entity) -> ItemView:
    return ItemView(e.type.value, e.name, [f"aliases: {', '.join(e.aliases)}"] if e.aliases else [], [])


def _event_wrong(p: Event, g: Event) -> list[str]:
    return [name for name, bad in [("type", p.type != g.type), ("date", not date_within(p, g)), ("status", p.status != g.status)] if bad]


def _claim_wrong(p: Claim, g: Claim, aliases: Aliases) -> list[str]:
    return [name for name, bad in [("claimant", not same_name(p.claimant, g.claimant, aliases)), ("stance", p.stance != g.stance)] if bad]


def _rows(pred: list[Any], gold: list[Any], alignment: Alignment, view: Any, wrong: Any) -> list[Row]:
    """Expected items in label order (each with its match, or marked missed), then false positives."""
    by_gold = {p.gold: p for p in alignment.pairs}
    rows = []
    for j, item in enumerate(gold):
        pair = by_gold.get(j)
        if pair is None:
            rows.append(Row("miss", view(item), None, None, []))
        else:
            rows.append(Row("match", view(item), view(pred[pair.pred]), pair.score, wrong(pred[pair.pred], item)))
    rows += [Row("false-positive", None, view(pred[i]), None, []) for i in alignment.unmatched_pred]
    return rows


def _article_view(result: ArticleResult) -> dict[str, Any]:
    extraction = result.line.extraction if result.line.status == "ok" else None
    gold = result.fixture.expected
    pred_events, pred_claims = (extraction.events, extraction.claims) if extraction else ([], [])
    pred_entities = extraction.entities if extraction else []
    cited = {e.sentence for item in [*pred_events, *pred_claims] for e in item.evidence}
    expected = {e.sentence for item in [*gold.events, *gold.claims] for e in item.evidence}
    aliases = alias_table(gold.entities)
    return {
        "id": result.fixture.id,
        "title": result.fixture.article.title or "",
        "path": str(result.fixture.path),
        "error": result.line.error.message if result.line.error else "",
        "metrics": article_metrics(result.score),
        "sections": [
            ("events", _rows(pred_events, gold.events, result.events, _event_view, _event_wrong)),
            ("claims", _rows(pred_claims, gold.claims, result.claims, _claim_view, lambda p, g: _claim_wrong(p, g, aliases))),
            ("entities", _rows(pred_entities, gold.entities, result.entities, _entity_view, lambda p, g: [])),
        ],
        "segments": _segments(result, cited, expected),
    }


def _segments(result: ArticleResult, cited: set[int], expected: set[int]) -> list[dict[str, Any]]:
    """The article as sentence and gap pieces (gaps keep the paragraph breaks), each sentence classed by
    whether the prediction cites it and whether it is expected evidence."""
    text = result.fixture.article.text
    pieces, at = [], 0
    for s in result.fixture.sentences:
        if s.start > at:
            pieces.append({"n": None, "text": text[at : s.start], "cls": ""})
        cls = " ".join(c for c, on in [("cited", s.n in cited), ("expected", s.n in expected)] if on)
        pieces.append({"n": s.n, "text": s.text, "cls": cls})
        at = s.end
    return pieces + ([{"n": None, "text": text[at:], "cls": ""}] if at < len(text) else [])


def _context(results: list[ArticleResult], totals: Totals, run_label: str) -> dict[str, Any]:
    return {
        "run": run_label,
        "usage": _usage_line(totals),
        "columns": [(name, title) for name, title, _ in ARTICLE_COLUMNS],
        "overall": [(label, fmt(totals.micro.get(n)), fmt(totals.macro.get(n))) for n, label in OVERALL_ROWS],
        "totals": [(kind, [fmt(values.get(n)) for n, _, _ in ARTICLE_COLUMNS]) for kind, values in (("micro", totals.micro), ("macro", totals.macro))],
        "articles": [_article_view(r) for r in results],
        "fmt": fmt,
    }


def render_html(results: list[ArticleResult], totals: Totals, run_label: str) -> str:
    return render_page(page("evals", "report"), **_context(results, totals, run_label))


def _md_item(item: ItemView | None) -> str:
    if item is None:
        return "—"
    sentences = f" [{', '.join(map(str, item.sentences))}]" if item.sentences else ""
    return f"{md.text(item.title)}: {md.text(item.text)}{sentences}"


def render_markdown(results: list[ArticleResult], totals: Totals, run_label: str) -> str:
    context = _context(results, totals, run_label)
    out = [f"# Eval report: {md.text(run_label)}", "", md.text(context["usage"]), "", "| metric | micro | macro |", "|---|---:|---:|"]
    out += [f"| {md.text(label)} | {micro} | {macro} |" for label, micro, macro in context["overall"]]
    out += ["", "## Per article", "", "| fixture | ok | " + " | ".join(t for _, t, _ in ARTICLE_COLUMNS) + " |"]
    out.append("|---|---|" + "---:|" * len(ARTICLE_COLUMNS))
    for article in context["articles"]:
        ok = "no" if article["error"] else "yes"
        out.append(f"| {md.text(article['id'])} | {ok} | " + " | ".join(fmt(article["metrics"][n]) for n, _, _ in ARTICLE_COLUMNS) + " |")
    for article in context["articles"]:
        out += _md_article(article)
    return "\n".join(out) + "\n"


def _md_article(article: dict[str, Any]) -> list[str]:
    out = ["", f"## {md.text(article['id'])}: {md.text(article['title'])}", ""]
    if article["error"]:
        out += [f"**error:** {md.text(article['error'])}", ""]
    for name, rows in article["sections"]:
        out += [f"### {name}", "", "| | expected | predicted | score | wrong |", "|---|---|---|---:|---|"]
        for row in rows:
            score = fmt(row.score) if row.score is not None else ""
            out.append(f"| {row.kind} | {_md_item(row.gold)} | {_md_item(row.pred)} | {score} | {md.text(', '.join(row.wrong))} |")
        out.append("")
    out += ["### article (**bold**: cited by the prediction; ▸ expected evidence)", ""]
    for piece in (p for p in article["segments"] if p["n"] is not None):
        marker = "▸ " if "expected" in piece["cls"] else ""
        body = f"**{md.text(piece['text'])}**" if "cited" in piece["cls"] else md.text(piece["text"])
        out.append(f"{marker}[{piece['n']}] {body}  ")
    return out


def write_report(path: Path, results: list[ArticleResult], totals: Totals, run_label: str) -> None:
    if path.suffix.lower() in (".html", ".htm"):
        text = render_html(results, totals, run_label)
    elif path.suffix.lower() == ".md":
        text = render_markdown(results, totals, run_label)
    else:
        raise FixtureError("report must end in .html or .md", source=str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"cannot write report ({exc.strerror})", source=str(path)) from None
