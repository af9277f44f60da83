"""Briefings from the hand-labeled records of the two seeds (the eval fixtures, loaded by the harness's loader)
instead of model output: the merge, who said what, unrelated stories, the Markdown and the lead's checks."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from conftest import ROOT
from summarizer import cli
from summarizer.brief.build import build_briefing
from summarizer.brief.inputs import BriefInput, read_extractions
from summarizer.brief.models import Briefing
from summarizer.brief.lead import LeadDraft
from summarizer.schema import validation_context
from summarizer.brief.render import to_html, to_markdown
from summarizer.evals.fixtures import Fixture, load_fixture
from summarizer.schema import ArticleExtraction, ArticleMeta, Provenance, Summary

FIXTURES = ROOT / "evals" / "fixtures" / "dev"
# What the embedded model (Qwen2.5-Coder-1.5B) extracted from the two seeds in the README's run: one event for
# seed 000, none for seed 003, no claims.
EMBEDDED_SEEDS = Path(__file__).parent / "test_brief_embedded_seeds.jsonl"
SEED_FIXTURES = [FIXTURES / "seed_000.yaml", FIXTURES / "seed_003.yaml"]


def fixture_record(fixture: Fixture) -> ArticleExtraction:
    """A fixture's expected items as if a model had extracted them."""
    article = fixture.article
    return ArticleExtraction(
        article=ArticleMeta(id=article.id, title=article.title, published=article.published, text_hash=article.text_hash, n_sentences=len(fixture.sentences)),
        summary=Summary(),
        events=fixture.expected.events,
        claims=fixture.expected.claims,
        entities=fixture.expected.entities,
        provenance=Provenance(model="hand-labeled", backend="fixture", mode="none", prompt_name="fixture", prompt_version="-", created_at=datetime(2024, 6, 1, tzinfo=timezone.utc)),
    )


def fixture_inputs(paths: list[Path] = SEED_FIXTURES) -> list[BriefInput]:
    inputs = []
    for path in paths:
        fixture = load_fixture(path)
        inputs.append(BriefInput(fixture_record(fixture), fixture.article.text, str(path.relative_to(ROOT))))
    return inputs


def write_jsonl(path: Path, inputs: list[BriefInput], extra: list[str] = ()) -> Path:
    lines = [i.record.model_dump_json() for i in inputs] + list(extra)
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def seeds() -> Briefing:
    return build_briefing(fixture_inputs())


def test_seed_timeline_keeps_the_two_sanction_rounds_and_the_veto_apart(seeds):
    assert len(seeds.stories) == 1 and seeds.warnings == []
    story = seeds.stories[0]
    by_id = {s.n: s.id for s in seeds.sources}
    assert by_id == {1: "003_1f565a1a16ffb178", 2: "000_fc4c5d789ceb7862"}  # sources in publication order

    sanctions = [e for e in story.timeline if e.type.value == "sanction"]
    assert [(e.date.value, e.date.precision.value) for e in sanctions] == [("2024-01-11", "day"), ("2024-05-16", "day")]
    assert [[c.source for c in e.citations] for e in sanctions] == [[1], [2]]
    assert len({e.id for e in sanctions}) == 2

    vetoes = [e for e in story.timeline if e.type.value == "veto_or_vote"]
    assert len(vetoes) == 1 and "Panel of Experts" in vetoes[0].description
    assert [(c.source, c.item) for c in vetoes[0].citations] == [(2, "E4")]  # its own entry, nothing merged in
    condemnation = next(e for e in story.timeline if e.type.value == "condemnation" and e.date.value == "2024-05-16")
    assert condemnation.id != vetoes[0].id

    # the one event both articles report is one entry citing both
    merged = [e for e in story.timeline if len(e.citations) > 1]
    assert [(e.type.value, [(c.source, c.item) for c in e.citations]) for e in merged] == [("arms_transfer", [(1, "E3"), (2, "E2")])]
    # by date, with precision; undated last
    keys = [(e.date.value is None, e.date.value or "") for e in story.timeline]
    assert keys == sorted(keys)
    assert [e.id for e in story.timeline] == [f"T{k}" for k in range(1, len(story.timeline) + 1)]


def test_seed_who_said_what_groups_state_department_blinken_and_unification_ministry(seeds):
    groups = {g.label: g for g in seeds.stories[0].claims}
    state = groups["U.S. State Department (Matthew Miller)"]
    blinken = groups["Antony Blinken"]
    unification = groups["Ministry of Unification"]
    assert state.speakers == ["Matthew Miller"]
    assert {c.claimant for c in state.claims} == {"Matthew Miller"} and len(state.claims) == 9
    assert {c.claimant for c in blinken.claims} == {"Antony Blinken"} and len(blinken.claims) == 2
    assert {c.claimant for c in unification.claims} == {"Ministry of Unification"} and len(unification.claims) == 3
    # no claim of theirs is filed anywhere else
    others = [c for label, g in groups.items() if g not in (state, blinken, unification) for c in g.claims]
    assert not {c.claimant for c in others} & {"Matthew Miller", "Antony Blinken", "Ministry of Unification"}
    # stance and the event a claim is about
    veto = next(e for e in seeds.stories[0].timeline if e.type.value == "veto_or_vote")
    condemn = next(c for c in state.claims if c.stance.value == "condemn")
    assert veto.id in condemn.entries and condemn.citations[0].source == 2
    assert [c.stance.value for c in blinken.claims] == ["warn", "accuse"]


def test_entities_merge_on_names_and_aliases(seeds):
    entities = {e.name: e for e in seeds.stories[0].entities}
    assert entities["North Korea"].sources == [1, 2]
    assert {"Pyongyang", "DPRK"} <= set(entities["North Korea"].aliases)
    assert entities["U.S. State Department"].sources == [1, 2]  # "U.S. State Department" and "US State Department"
    assert entities["Ministry of Unification"].sources == [2]
    assert sum(e.name == "Russia" for e in seeds.stories[0].entities) == 1


def test_records_lead_is_3_to_5_sentences_citing_entries(seeds):
    lead = seeds.stories[0].lead
    assert lead.by == "records" and 3 <= len(lead.sentences) <= 5
    ids = {e.id for e in seeds.stories[0].timeline}
    assert all(s.entries and set(s.entries) <= ids for s in lead.sentences)
    text = " ".join(s.text for s in lead.sentences)
    assert "On 11 January 2024" in text and "On 16 May 2024" in text  # both sanction rounds, dated


def test_unrelated_story_is_kept_apart_with_a_warning():
    briefing = build_briefing(fixture_inputs([*SEED_FIXTURES, FIXTURES / "dev_turkey_f16_sweden_nato.yaml"]))
    assert len(briefing.stories) == 2
    assert [sorted(s.sources) for s in briefing.stories] == [[1, 3], [2]]  # the F-16 article is published between the seeds
    assert "2 unrelated stories" in briefing.warnings[0]
    for story in briefing.stories:
        assert all(c.source in story.sources for e in story.timeline for c in e.citations)
        assert all(c.citations[0].source in story.sources for g in story.claims for c in g.claims)
    ids = [e.id for s in briefing.stories for e in s.timeline]
    assert len(ids) == len(set(ids))  # entry ids unique across stories
    md = to_markdown(briefing)
    assert "## Story 1:" in md and "## Story 2:" in md and "**warning:** these articles are 2 unrelated stories" in md


def test_thin_model_extractions_of_the_seeds_are_one_story_with_a_warning():
    inputs, skipped = read_extractions(EMBEDDED_SEEDS)
    briefing = build_briefing(inputs)
    assert skipped == [] and len(briefing.stories) == 1
    assert briefing.warnings == [
        "sources [1] and [2] share no event (too few were extracted) and only some topic words (0.47): taken as one story, check"
    ]
    [entry] = briefing.stories[0].timeline
    assert (entry.type.value, entry.date.value, entry.date.precision.value) == ("sanction", "2024-05-16", "day")
    assert [(c.source, c.sentences) for c in entry.citations] == [(2, [1])]
    assert [s.entries for s in briefing.stories[0].lead.sentences] == [["T1"]]


def test_markdown_has_every_section(seeds):
    md = to_markdown(seeds)
    assert md.startswith("# US imposes sanctions on entities 'transferring' military equipment between Russia and North Korea\n")
    for heading in ("## Timeline", "## Who said what", "### U.S. State Department (Matthew Miller)", "## Entities", "## Sources"):
        assert f"\n{heading}\n" in md
    assert "- **2024-01-11 (day)** · T5 · `sanction`: The U.S. State Department imposed sanctions" in md
    assert "- **2024-01 (month)** · T2 · `condemnation`" in md
    assert "- **date unknown** · T8 · `arms_transfer` (alleged): North Korea transferred" in md and "— [1] S1, S3, S11; [2] S3, S6, S12" in md
    assert "- [1] **Loading... Loading...** · published 2024-01-11 · `003_1f565a1a16ffb178`" in md
    assert "- [2] **US imposes sanctions" in md and "published 2024-05-17" in md
    assert "*lead built from the records (no model)*" in md


def test_html_is_self_contained_and_escapes_everything(tmp_path):
    inputs = fixture_inputs()
    hostile = "<script>alert('x')</script> & <b>bold</b>"
    inputs[0].record.events[0].description = hostile
    inputs[0].record.claims[0].claimant = hostile
    page = to_html(build_briefing(inputs, title=hostile))
    assert "<script>alert" not in page and "<b>bold" not in page
    assert page.count("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;") >= 3
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing loaded from the network
    assert page.count("<script>") == 1 and "Content-Security-Policy" in page
    # each source's text, every sentence addressable; the cited ones marked
    assert 'id="a2-s7"' in page and 'class="s cited" id="a2-s9"' in page
    assert "Illustration by TPYXA_ILLUSTRATION on Shutterstock" in page


def test_html_without_article_text_shows_the_cited_sentences(seeds, tmp_path):
    jsonl = write_jsonl(tmp_path / "x.jsonl", fixture_inputs())
    inputs, skipped = read_extractions(jsonl)
    assert skipped == [] and all(i.text is None for i in inputs)
    page = to_html(build_briefing(inputs))
    assert page.count("The article text is not available") == 2
    assert 'id="a2-s9"' in page and "We condemn Russia" in page


ENTRIES = {1: "2024-05-16 The US imposed sanctions.", 2: "Russia vetoed a resolution.", 3: "North Korea shipped missiles."}


def lead(*texts_and_entries: tuple[str, list[int]]) -> dict:
    return {"sentences": [{"text": t, "entries": e} for t, e in texts_and_entries]}


def test_lead_citations_are_checked_in_code():
    one, two, three = ("The US imposed sanctions on 16 May 2024.", [1]), ("Russia vetoed.", [2]), ("Missiles were shipped.", [3])
    with validation_context(ENTRIES):
        LeadDraft.model_validate(lead(one, two, three))
        with pytest.raises(ValidationError, match=r"timeline entries \[9\] do not exist"):
            LeadDraft.model_validate(lead(one, two, ("x", [3, 9])))
        with pytest.raises(ValidationError, match="gives 40, which entries"):
            LeadDraft.model_validate(lead(one, two, ("Russia fired 40 missiles.", [3])))
        with pytest.raises(ValidationError, match="write at least 3 sentences"):
            LeadDraft.model_validate(lead(one, two))
        with pytest.raises(ValidationError, match="sentence 3 repeats sentence 1"):
            LeadDraft.model_validate(lead(one, two, ("The US imposed sanctions on 16 May, 2024!", [1])))
    with validation_context({1: ENTRIES[1]}):
        LeadDraft.model_validate(lead(one))  # one entry: one sentence is enough
    with validation_context(ENTRIES, lenient=True) as ctx:
        draft = LeadDraft.model_validate(lead(one, ("Russia vetoed.", [2, 9]), one))
    assert [s.entries for s in draft.sentences] == [[1], [2]] and ctx["dropped"] == {"citations": 1, "repeated_sentences": 1}


# --- the CLI without a model -------------------------------------------------------------------------------


def brief(*args: str):
    return CliRunner().invoke(cli.app, ["brief", *args])


def test_jsonl_error_records_are_listed_as_skipped_with_the_reason(tmp_path):
    # a batch error record before the error object (`error_type`, `message` at the top level): old files brief as before
    batch_error = {"id": "005", "status": "error", "error_type": "InputError", "message": "dump/005.txt: binary file, not text", "attempts": 0, "source": "dump/005.txt"}
    run_error = {"fixture_id": "004_missing", "status": "error", "error": {"type": "ProviderError", "message": "HTTP 429 after 5 attempts"}}
    first, second = fixture_inputs()
    run_line = json.dumps({"fixture_id": "seed_003", "status": "ok", "extraction": json.loads(second.record.model_dump_json())})
    jsonl = write_jsonl(tmp_path / "structured.jsonl", [first], [run_line, json.dumps(batch_error), json.dumps(run_error), "{not json"])
    result = brief(str(jsonl), "--no-llm")
    assert result.exit_code == 0, result.stderr
    assert "\n## Skipped\n- dump/005.txt: binary file, not text (InputError)\n- 004\\_missing: HTTP 429 after 5 attempts (ProviderError)\n" in result.stdout
    assert f"- {tmp_path / 'structured.jsonl'}:5: line is not JSON".replace("_", "\\_") in result.stdout
    assert "warning: 004_missing: skipped: HTTP 429 after 5 attempts (ProviderError)" in result.stderr
    assert "## Timeline" in result.stdout and "T8" in result.stdout


def test_no_llm_briefing_is_deterministic(tmp_path):
    jsonl = write_jsonl(tmp_path / "structured.jsonl", fixture_inputs())
    first, second = brief(str(jsonl), "--no-llm", "-f", "json"), brief(str(jsonl), "--no-llm", "-f", "json")
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["stories"][0]["lead"]["by"] == "records" and len(data["sources"]) == 2


def test_out_suffix_picks_html(tmp_path):
    jsonl = write_jsonl(tmp_path / "structured.jsonl", fixture_inputs())
    result = brief(str(jsonl), "--no-llm", "--out", str(tmp_path / "brief.html"), "--title", "Russia–DPRK arms transfers")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "brief.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<title>Russia–DPRK arms transfers</title>" in page


@pytest.mark.parametrize("make", ["empty_file", "empty_jsonl", "empty_dir", "no_glob_match"])
def test_empty_input_is_one_line_and_exit_2(tmp_path, make):
    target = {
        "empty_file": tmp_path / "empty.txt",
        "empty_jsonl": tmp_path / "empty.jsonl",
        "empty_dir": tmp_path / "nothing",
        "no_glob_match": tmp_path / "dump" / "2024-05-*.txt",
    }[make]
    if make == "empty_dir":
        target.mkdir()
    elif make != "no_glob_match":
        target.write_text("")
    result = brief(str(target), "--no-llm")
    assert result.exit_code == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def test_jsonl_of_only_errors_says_nothing_to_brief(tmp_path):
    error = json.dumps({"id": "a", "status": "error", "error": "HTTP 500"})
    jsonl = write_jsonl(tmp_path / "structured.jsonl", [], [error])
    result = brief(str(jsonl), "--no-llm")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == ["warning: a: skipped: HTTP 500", "error: no articles to brief: 1 input skipped"]


def test_no_llm_with_article_files_says_what_to_pass(tmp_path):
    jsonl = write_jsonl(tmp_path / "structured.jsonl", fixture_inputs()[:1])
    result = brief(str(jsonl), str(ROOT / "seeds" / "000_fc4c5d789ceb7862.txt"), "--no-llm")
    assert result.exit_code == 2  # the article could not be used; the briefing of the rest is still written
    assert "--no-llm makes no model calls and this is an article" in result.stderr
    assert "## Skipped" in result.stdout and "## Timeline" in result.stdout
