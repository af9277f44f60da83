"""`summarizer brief` through the real CLI, the real openai client and instructor, against the loopback
OpenAI-compatible server: the lead is written from the merged records, its citations checked in code (an
entry that does not exist is re-asked with the reason, then dropped and counted)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SEED_000, SEED_003, ModelAnswer, seed_000_answer
from fake_openai import FakeOpenAI, queue_responder
from summarizer import cli
from summarizer.llm import base
from test_brief import EMBEDDED_SEEDS, fixture_inputs, write_jsonl

# With the seeds' hand-labeled records the timeline is T1..T14: T5 = the January sanctions, T6 = the May
# sanctions, T8 = North Korea's arms transfers (both articles), T9 = the denial, T13 = the veto.
VALID_LEAD = {
    "sentences": [
        {"text": "The United States sanctioned Russian entities on January 11, 2024 and again on May 16, 2024 over North Korean arms transfers.", "entries": [5, 6]},
        {"text": "Washington says North Korea supplied Russia with ballistic missiles for its war in Ukraine; both countries deny any arms deal.", "entries": [8, 9]},
        {"text": "Russia vetoed the renewal of the UN panel of experts that monitored sanctions on North Korea.", "entries": [13]},
    ]
}


def lead_with(sentence_index: int, **changes) -> dict:
    answer = json.loads(json.dumps(VALID_LEAD))
    answer["sentences"][sentence_index].update(changes)
    return answer


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setattr(base, "BACKOFF_BASE_S", 0.01)


@pytest.fixture
def structured(tmp_path):
    return write_jsonl(tmp_path / "structured.jsonl", fixture_inputs())


def brief(server: FakeOpenAI, *args: str):
    return CliRunner().invoke(cli.app, ["brief", *args, "--base-url", server.base_url, "--model", "fake", "--no-cache"])


def messages_text(request: dict) -> str:
    return json.dumps(request["messages"], ensure_ascii=False)


def test_valid_lead_is_written_from_the_records(structured):
    with FakeOpenAI(queue_responder([VALID_LEAD])) as server:
        result = brief(server, str(structured))
    assert result.exit_code == 0, result.stderr
    assert server.request_count == 1 and server.requests[0]["tools"][0]["function"]["name"] == "LeadDraft"
    prompt = messages_text(server.requests[0])
    assert "[5] 2024-01-11 (day) · sanction · occurred: The U.S. State Department imposed sanctions" in prompt
    assert "- U.S. State Department (Matthew Miller) · assert: The United States is imposing sanctions" in prompt  # who said what, from the groups
    assert "Illustration by TPYXA_ILLUSTRATION" not in prompt and "What Happened:" not in prompt  # never the raw text
    md = result.stdout
    assert "The United States sanctioned Russian entities on January 11, 2024 and again on May 16, 2024 over North Korean arms transfers. [T5, T6]" in md
    assert "any arms deal. [T8, T9]" in md and "monitored sanctions on North Korea. [T13]" in md
    assert "*lead written by openai-compatible/fake from the records (prompt lead@" in md


def test_citation_of_a_missing_entry_is_reasked_with_the_reason(structured):
    bad = lead_with(2, entries=[13, 99])
    with FakeOpenAI(queue_responder([bad, VALID_LEAD])) as server:
        result = brief(server, str(structured), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert server.request_count == 2
    assert "timeline entries [99] do not exist" in messages_text(server.requests[1])
    lead = json.loads(result.stdout)["stories"][0]["lead"]
    assert lead["by"] == "model" and [s["entries"] for s in lead["sentences"]] == [["T5", "T6"], ["T8", "T9"], ["T13"]]
    assert lead["provenance"]["attempts"] == 2 and lead["provenance"]["dropped"] == {}


def test_a_figure_not_in_the_cited_entries_is_reasked(structured):
    bad = lead_with(2, text="Russia vetoed the renewal of the UN panel of experts on May 30, 2024.")
    with FakeOpenAI(queue_responder([bad, VALID_LEAD])) as server:
        result = brief(server, str(structured), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "the sentence gives 30, 2024, which entries [13] do not" in messages_text(server.requests[1])


def test_persistent_bad_citation_is_dropped_and_counted_never_kept(structured):
    bad = lead_with(2, entries=[99])
    bad["sentences"].append({"text": "The sanctions target five Russia-based individuals and entities.", "entries": [6]})
    with FakeOpenAI(queue_responder([bad])) as server:
        result = brief(server, str(structured), "--format", "json", "--retries", "1")
    assert result.exit_code == 0, result.stderr
    assert server.request_count == 2
    lead = json.loads(result.stdout)["stories"][0]["lead"]
    assert [s["entries"] for s in lead["sentences"]] == [["T5", "T6"], ["T8", "T9"], ["T6"]]
    assert lead["provenance"]["dropped"] == {"citations": 1, "invalid_answers": 2, "sentences": 1}


def test_never_valid_lead_falls_back_to_the_records_and_says_so(structured):
    with FakeOpenAI(queue_responder(["not json at all"])) as server:
        result = brief(server, str(structured), "--mode", "json")
    assert result.exit_code == 0, result.stderr
    assert "the model gave no valid lead after 2 attempts: lead built from the records" in result.stderr
    assert "*lead built from the records (no model)*" in result.stdout and "On 16 May 2024" in result.stdout


# The lead the embedded model wrote for its own (one-entry) extraction of the seeds, in the README's run.
EMBEDDED_LEAD = {"sentences": [
    {"text": "The US imposed sanctions on Russian entities for their involvement in the transfer of military equipment and components between North Korea and Russia amid the ongoing war against Ukraine.", "entries": [1]},
    {"text": "Matthew Miller, the US State Department spokesperson, said the sanctions were imposed on Russian entities for their involvement in the transfer of military equipment and components between North Korea and Russia amid the ongoing war against Ukraine.", "entries": [1]},
    {"text": "The sanctions were imposed on Russian entities for their involvement in the transfer of military equipment and components between North Korea and Russia amid the ongoing war against Ukraine.", "entries": [1]},
]}


def test_repeated_sentences_are_reasked_then_dropped():
    with FakeOpenAI(queue_responder([EMBEDDED_LEAD])) as server:
        result = brief(server, str(EMBEDDED_SEEDS), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert "sentence 2 repeats sentence 1" in messages_text(server.requests[1])
    lead = json.loads(result.stdout)["stories"][0]["lead"]
    assert [s["text"][:40] for s in lead["sentences"]] == ["The US imposed sanctions on Russian enti"]
    assert lead["provenance"]["dropped"] == {"repeated_sentences": 2, "invalid_answers": 2}


def seed_003_answer() -> ModelAnswer:
    return ModelAnswer({
        "headline": "US sanctions Russian entities over North Korean missiles",
        "event_sentences": [1, 3],
        "events": [
            {"sentences": [1, 5], "type": "sanction", "description": "The U.S. State Department sanctioned three Russian entities and an individual.",
             "actors": [{"name": "U.S. State Department", "role": "agent", "country": "USA"}], "when": "on Thursday", "location": None, "status": "occurred"},
            {"sentences": [3, 11], "type": "arms_transfer", "description": "North Korea transferred ballistic missiles to Russia.",
             "actors": [{"name": "North Korea", "role": "agent"}, {"name": "Russia", "role": "target"}], "when": "", "location": None, "status": "alleged"},
        ],
        "claims": [{"sentences": [5], "claimant": "Antony Blinken", "claim": "The US will take further actions.", "stance": "warn"}],
        "key_points": [{"sentences": [1], "text": "The US sanctioned three Russian entities and an individual."}],
        "entities": [{"name": "Antony Blinken", "type": "person", "aliases": []}, {"name": "North Korea", "type": "country", "aliases": ["Pyongyang"]}],
    })


def test_article_files_are_extracted_then_briefed():
    # sources in publication order: [1] seed 003 (January), [2] seed 000 (May). Timeline: T1 the arms
    # transfers (dated by the "Dec. 30" in their sentence), T2 January sanctions, T3 May sanctions, T4 the veto.
    lead = {"sentences": [
        {"text": "The U.S. State Department sanctioned Russian entities on January 11, 2024.", "entries": [2]},
        {"text": "The United States imposed more sanctions on May 16, 2024.", "entries": [3]},
        {"text": "Russia vetoed the extension of the Panel of Experts mandate.", "entries": [4]},
    ]}

    def responder(body: dict, n: int):
        tool = body["tools"][0]["function"]["name"]
        if tool == "LeadDraft":
            return lead
        return seed_003_answer() if "Antony Blinken" in json.dumps(body["messages"]) else seed_000_answer()

    with FakeOpenAI(responder) as server:
        result = brief(server, str(SEED_000), str(SEED_003))
    assert result.exit_code == 0, result.stderr
    asked = [r["tools"][0]["function"]["name"] for r in server.requests]
    assert sorted(asked[:6]) == ["ClaimsDraft", "ClaimsDraft", "EventsDraft", "EventsDraft", "ExtractionDraft", "ExtractionDraft"] and asked[6:] == ["LeadDraft"]
    md = result.stdout
    assert "- **2024-01-11 (day)** · T2 · `sanction`: The U.S. State Department sanctioned" in md
    assert "- **2024-05-16 (day)** · T3 · `sanction`: The US imposed sanctions" in md
    assert "- **date unknown** · T4 · `veto_or_vote`: Russia vetoed" in md
    assert "### Antony Blinken\n- **warn**: The US will take further actions. (about T2) — [1] S5" in md
    # the spokesperson's claim joins the body's, which the model named only as a claimant
    assert "### US State Department (Matthew Miller)\n- **accuse**: Russia relies on North Korean munitions." in md
    assert "Russia vetoed the extension of the Panel of Experts mandate. [T4]" in md
    assert "- [1] **Loading... Loading...** · published 2024-01-11" in md
