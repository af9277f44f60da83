"""Fixture loading: the shipped fixtures, article resolution, evidence located by code, and every kind of
broken fixture as one line naming the file and the field."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import ROOT
from summarizer import cli
from summarizer.errors import FixtureError
from summarizer.evals.fixtures import load_fixture, load_fixtures
from summarizer.schema import DatePrecision, EventType
from test_eval_support import SMALL_FIXTURE, SMALL_TEXT, make_run, write_fixtures


def test_shipped_fixtures_load_with_evidence_on_sentence_spans():
    fixtures, errors = load_fixtures(ROOT / "evals" / "fixtures")
    assert errors == []
    assert len(fixtures) >= 15 and len({f.id for f in fixtures}) == len(fixtures)
    for fixture in fixtures:
        for item in [*fixture.expected.events, *fixture.expected.claims]:
            for ev in item.evidence:
                assert fixture.article.text[ev.start : ev.end] == ev.text == fixture.sentences[ev.sentence - 1].text


def test_small_fixture_becomes_grounded_schema_types(tmp_path):
    fixture = load_fixture(write_fixtures(tmp_path) / "small.yaml")
    assert fixture.id == "small" and fixture.article.text == SMALL_TEXT and str(fixture.article.published) == "2024-05-17"
    sanction, denial, test = fixture.expected.events
    assert sanction.type is EventType.sanction and sanction.date.value == "2024-05-16" and sanction.date.precision is DatePrecision.day
    assert test.date.precision is DatePrecision.month and denial.date.precision is DatePrecision.unknown
    assert [e.sentence for e in sanction.evidence] == [1]
    # a claim with only a quote is grounded on the quote's sentence
    assert [e.sentence for e in fixture.expected.claims[1].evidence] == [4]


def test_evidence_spanning_two_sentences_cites_both(tmp_path):
    fixture = tmp_path / "f.yaml"
    fixture.write_text(SMALL_FIXTURE.replace('["Russia denied the accusation."]', '["to Iran. Russia denied"]'))
    assert [e.sentence for e in load_fixture(fixture).expected.events[1].evidence] == [2, 3]


def test_curly_quotes_and_line_breaks_in_evidence_still_match(tmp_path):
    fixture = tmp_path / "f.yaml"
    fixture.write_text(SMALL_FIXTURE.replace('quote: "These sanctions are illegal"', 'quote: "\u201cThese  sanctions\\nare illegal,\u201d"'))
    assert [e.sentence for e in load_fixture(fixture).expected.claims[1].evidence] == [4]


def test_article_path_is_relative_to_the_fixture_folder_then_the_cwd(tmp_path, monkeypatch):
    nested = tmp_path / "fixtures" / "dev"
    nested.mkdir(parents=True)
    seed = (ROOT / "evals" / "fixtures" / "dev" / "seed_000.yaml").read_text()
    (nested / "beside.yaml").write_text(seed)  # ../../../seeds/ from tmp/fixtures/dev does not exist ...
    monkeypatch.chdir(ROOT / "evals" / "fixtures" / "dev")  # ... but does from the cwd
    assert load_fixture(nested / "beside.yaml").article.id == "000_fc4c5d789ceb7862"


def test_json_fixtures_are_read_too(tmp_path):
    (tmp_path / "f.json").write_text(json.dumps({"article": {"id": "j", "text": SMALL_TEXT}, "expected": {"events": []}}))
    fixtures, errors = load_fixtures(tmp_path)
    assert errors == [] and fixtures[0].id == "j" and fixtures[0].expected.events == []


BROKEN = {
    "not_yaml": ("article: [unclosed\n", "not valid YAML"),
    "not_a_mapping": ("- just\n- a list\n", "top level is list"),
    "no_article": ("expected: {events: []}\n", "article: Field required"),
    "no_expected": ("article: {id: x, text: 'a b c d e f g h i j'}\n", "expected: Field required"),
    "missing_file": ("article: {id: x, path: nowhere/article.txt}\nexpected: {}\n", "article.path:"),
    "both_sources": ("article: {id: x, path: a.txt, text: hello}\nexpected: {}\n", "exactly one of path or text"),
}
FIELD_ERRORS = {
    "unknown_type": (("type: sanction", "type: sanctions"), "expected.events[0].type"),
    "unknown_stance": (("stance: accuse", "stance: blames"), "expected.claims[0].stance"),
    "unknown_role": (("role: agent}, {name: three", "role: boss}, {name: three"), "expected.events[0].actors[0].role"),
    "evidence_missing": (('["Russia denied the accusation."]', '["Russia admitted everything."]'), "expected.events[1].evidence[0]: not found"),
    "quote_missing": (('quote: "These sanctions are illegal"', 'quote: "These sanctions are fine"'), "expected.claims[1].quote: not found"),
    "typo_key": (("      evidence: [\"imposed", "      evidnce: [\"imposed"), "expected.events[0].evidnce"),
    "bad_precision": (('date: "2024-05"\n', 'date: "2024-05"\n      date_precision: day\n'), "expected.events[2]: date_precision day does not fit"),
}


@pytest.mark.parametrize("name", BROKEN)
def test_broken_fixture_is_one_line_naming_file_and_cause(tmp_path, name):
    text, expected = BROKEN[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(FixtureError) as err:
        load_fixture(path)
    line = err.value.one_line()
    assert "\n" not in line and line.startswith(str(path)) and expected in line


@pytest.mark.parametrize("name", FIELD_ERRORS)
def test_bad_field_names_the_field(tmp_path, name):
    (old, new), field = FIELD_ERRORS[name]
    assert old in SMALL_FIXTURE
    path = tmp_path / f"{name}.yaml"
    path.write_text(SMALL_FIXTURE.replace(old, new, 1))
    with pytest.raises(FixtureError) as err:
        load_fixture(path)
    assert f"{path}: {field}" in err.value.one_line()


def test_duplicate_ids_and_bad_files_are_collected_not_fatal(tmp_path):
    write_fixtures(tmp_path)
    (tmp_path / "again.yaml").write_text(SMALL_FIXTURE)
    (tmp_path / "broken.yml").write_text("article: [")
    fixtures, errors = load_fixtures(tmp_path)
    assert sorted(f.id for f in fixtures) == ["000_fc4c5d789ceb7862", "small"]
    assert len(errors) == 2 and any("also the id of" in e.one_line() for e in errors)


def test_missing_or_empty_fixture_folder_is_an_error(tmp_path):
    with pytest.raises(FixtureError, match="no such fixture"):
        load_fixtures(tmp_path / "nope")
    with pytest.raises(FixtureError, match="no fixtures"):
        load_fixtures(tmp_path)


def test_eval_skips_a_bad_fixture_scores_the_rest_and_exits_non_zero(tmp_path):
    folder = write_fixtures(tmp_path / "fixtures")
    run = make_run(folder, tmp_path / "run.jsonl")
    bad = folder / "zz_bad.yaml"
    bad.write_text(SMALL_FIXTURE.replace("id: small", "id: other").replace("type: sanction", "type: sanctions"))
    result = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(folder), "--replay", str(run)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {bad}: expected.events[0].type: Input should be 'sanction', 'arms_transfer', 'military_strike', "
                      "'weapons_test', 'statement', 'condemnation', 'accusation', 'denial', 'veto_or_vote', 'agreement', "
                      "'meeting_or_visit', 'production' or 'other' (got 'sanctions')"]
    assert "small" in result.stdout and "000_fc4c5d789ceb7862" in result.stdout


def test_only_broken_fixtures_exit_2_before_any_model_call(tmp_path):
    (tmp_path / "bad.yaml").write_text("article: [")
    result = CliRunner().invoke(cli.app, ["eval", "--fixtures", str(tmp_path), "--base-url", "http://127.0.0.1:9/v1", "--model", "x"])
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {tmp_path / 'bad.yaml'}: not valid YAML")
