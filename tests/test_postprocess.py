"""Post-processing steps: each, turned off, gives its neutral behaviour on a hand-made answer set; the eval's
rule ablation re-makes a live run's records from the answers it saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from typer.testing import CliRunner

from fake_openai import FakeOpenAI
from summarizer import cli
from summarizer.extraction.answers import StepAnswer, grounded
from summarizer.io.articles import article_from_text
from summarizer.errors import ConfigError
from summarizer.extraction.postprocess import ALL_STEPS, STEP_NAMES, PostSteps
from summarizer.schema import DESCRIPTION_CHARS
from test_eval_support import answer_for, write_fixtures

WIDE = {"COLUMNS": "250"}

ARTICLE = article_from_text(
    " date 2024-05-17 Missiles and sanctions\n\n"
    "The ministry said the talks were useful. "  # 1
    "Katz struck a similar tone. "  # 2
    "Ankara had held up the deal since May. "  # 3
    "North Korea launched a missile in a test on Thursday. "  # 4
    "The United States and Britain will impose sanctions on Iran. "  # 5
    "North Korea fired another missile. "  # 6
    "Officials described a long list of measures in great detail. "  # 7
    "Iran's foreign ministry told reporters that \"the accusations are baseless and false\". "  # 8
    "Analysts expected the move. "  # 9
    "Seoul said Pyongyang's missile programme threatens regional peace and stability.",  # 10
    default_id="hand-made",
    source="test",
)
LONG = ("Officials described a long list of measures " * 4)[:DESCRIPTION_CHARS]


def _event(description: str, type: str, agent: str = "", target: str = "") -> dict[str, str]:
    return {"description": description, "type": type, "agent": agent, "target": target}


def _claim(claimant: str, claim: str, stance: str = "assert") -> dict[str, str]:
    return {"claimant": claimant, "claim": claim, "stance": stance}


EVENTS = {
    1: _event("The ministry said the talks were useful", "statement", "the ministry"),
    2: _event("Katz struck a similar tone", "sanction", "Katz"),
    3: _event("Ankara had held up the deal", "agreement", "Ankara"),
    4: _event("North Korea launched a missile in a test", "arms_transfer", "North Korea"),
    5: _event("The United States and Britain will impose sanctions on Iran", "sanction", "The United States and Britain", "Iran"),
    6: _event("North Korea fired another missile", "weapons_test", "North Korea"),
    7: _event(LONG, "other", "Officials"),
}
CLAIMS = {
    5: _claim("Washington", "sanctions will be imposed on Iran"),
    8: _claim("Iran's foreign ministry", "The accusations are false."),
    9: _claim("Seoul", "Pyongyang's missile programme threatens regional peace and stability"),
}
ANSWERS = [
    StepAnswer(window=0, kind="draft", answer={"headline": "h", "key_points": [{"sentences": [4], "text": "A test."}], "entities": []}),
    StepAnswer(window=0, kind="events", sentences=list(range(1, 11)), answer={f"sentence {n}": EVENTS.get(n) for n in range(1, 11)}),
    StepAnswer(window=0, kind="claims", sentences=[5, 8, 9], answer={f"sentence {n}": CLAIMS[n] for n in (5, 8, 9)}),
]


def _record(post: PostSteps) -> dict[str, Any]:
    summary, events, claims, entities, dropped = grounded(ARTICLE, ANSWERS, post)
    return {"events": events, "claims": claims, "entities": entities}


def _event_at(n: int) -> Callable[[dict[str, Any]], Any]:
    return lambda r: next(e for e in r["events"] if n in [x.sentence for x in e.evidence])


def _claim_by(claimant: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: next(c for c in r["claims"] if c.claimant == claimant)


def _descriptions(r: dict[str, Any]) -> str:
    return " | ".join(e.description for e in r["events"])


# step: (what it changes in the record, its value with the step on, with it off)
PROBES: dict[str, tuple[Callable[[dict[str, Any]], Any], Any, Any]] = {
    "drop_speech_events": (lambda r: "ministry said" in _descriptions(r), False, True),
    "drop_filler_events": (lambda r: "Katz" in _descriptions(r), False, True),
    "drop_background_events": (lambda r: "had held up" in _descriptions(r), False, True),
    "check_type": (lambda r: _event_at(4)(r).type.value, "weapons_test", "arms_transfer"),
    "trim_description": (lambda r: _event_at(7)(r).description.endswith("…"), True, False),
    "split_actors": (lambda r: [a.name for a in _event_at(5)(r).actors], ["The United States", "Britain", "Iran"], ["The United States and Britain", "Iran"]),
    "actor_countries": (lambda r: [a.country for a in _event_at(5)(r).actors], ["USA", "GBR", "IRN"], [None, None, None]),
    "event_date": (lambda r: _event_at(4)(r).date.value, "2024-05-16", None),
    "event_status": (lambda r: _event_at(5)(r).status.value, "planned", "occurred"),
    "fold_neighbours": (lambda r: [x.sentence for x in _event_at(4)(r).evidence], [4, 6], [4]),
    "recite_claims": (lambda r: [x.sentence for x in _claim_by("Seoul")(r).evidence], [10], [9]),
    "claimant_type": (lambda r: _claim_by("Iran's foreign ministry")(r).claimant_type.value, "government_body", "other"),
    "claim_quote": (lambda r: _claim_by("Iran's foreign ministry")(r).quote, "the accusations are baseless and false", None),
    "claim_attribution": (lambda r: _claim_by("Iran's foreign ministry")(r).attribution.value, "told_reporters", "other"),
    "claim_stance": (lambda r: _claim_by("Iran's foreign ministry")(r).stance.value, "deny", "assert"),
    "claim_events": (lambda r: len(_claim_by("Washington")(r).event_ids), 1, 0),
    "entity_speakers": (lambda r: "Iran's foreign ministry" in [e.name for e in r["entities"]], True, False),
    "entity_countries": (lambda r: "Britain" in [e.name for e in r["entities"]], True, False),
}


def test_every_step_has_a_probe():
    assert list(PROBES) == list(STEP_NAMES)


@pytest.mark.parametrize("name", STEP_NAMES)
def test_a_step_turned_off_gives_the_neutral_behaviour(name):
    probe, on, off = PROBES[name]
    assert probe(_record(ALL_STEPS)) == on
    assert probe(_record(PostSteps.without([name]))) == off


def test_an_unknown_step_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown post-processing step drop_speech"):
        PostSteps.without(["drop_speech"])


def _responder(body: dict, n: int) -> dict:
    return answer_for(json.dumps(body["messages"]))


def test_a_live_run_keeps_its_answers_and_the_ablation_replays_them(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    run = tmp_path / "run.jsonl"
    with FakeOpenAI(_responder) as server:
        live = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(folder), "--base-url", server.base_url, "--model", "fake", "--save-run", str(run)])
    assert live.exit_code == 0, live.stderr
    lines = [json.loads(raw) for raw in run.read_text().splitlines()]
    assert [[a["kind"] for a in line["answers"]] for line in lines] == [["draft", "events", "claims"]] * 2

    out = tmp_path / "ablation.md"
    result = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(folder), "--replay", str(run), "--rules", "--rules-out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.stderr
    assert "did not re-make" not in result.stderr  # all steps on gives the recorded records
    assert "rule ablation, 2 fixtures" in result.stdout and "entity_countries off" in result.stdout
    table = out.read_text().splitlines()
    assert table[0].startswith("| step | events.f1 |") and len(table) == 2 + 1 + len(STEP_NAMES)
    assert "| event_date off |" in out.read_text() and "-0.750" in next(row for row in table if "event_date off" in row)


def test_a_run_without_answers_needs_a_new_live_run(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    run = tmp_path / "old.jsonl"
    with FakeOpenAI(_responder) as server:
        CliRunner().invoke(cli.app, ["eval", "--fixtures", str(folder), "--base-url", server.base_url, "--model", "fake", "--save-run", str(run)])
    old = [{k: v for k, v in json.loads(raw).items() if k != "answers"} for raw in run.read_text().splitlines()]
    run.write_text("".join(json.dumps(line) + "\n" for line in old))
    result = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(folder), "--replay", str(run), "--rules"], env=WIDE)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "--rules needs a run made with model answers (a live eval" in result.stderr


def test_rules_need_a_replay(tmp_path):
    result = CliRunner().invoke(cli.app, ["eval", "--rules"], env=WIDE)
    assert result.exit_code == 3 and "--rules re-scores a stored run's answers" in result.stderr
