"""Shared pieces for the eval tests (no tests here): a small hand-labeled fixture, canned model answers,
an in-process canned backend, and run files made through the real pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import instructor

from conftest import ROOT, ModelAnswer, seed_000_answer
from summarizer.llm.base import Backend
from summarizer.evals.fixtures import Fixture, load_fixture
from summarizer.evals.runs import RunLine, now, ok_line
from summarizer.extraction.run import extract

# Dated Friday 2024-05-17: "on Thursday" is 2024-05-16. Sentences: 1 sanctions, 2 Treasury, 3 denial,
# 4 Zakharova quote, 5 missile test, 6 analysts.
SMALL_TEXT = (
    "The United States imposed sanctions on three Russian firms on Thursday. "
    "The Treasury said the firms had shipped drone parts to Iran. "
    "Russia denied the accusation. "
    '"These sanctions are illegal," Foreign Ministry spokeswoman Maria Zakharova told reporters. '
    "North Korea tested a ballistic missile last week, according to South Korea's military. "
    "Analysts said the test showed growing capabilities."
)

SMALL_FIXTURE = f"""
article:
  id: small
  title: Sanctions and a missile test
  date: "2024-05-17"
  text: {json.dumps(SMALL_TEXT)}
expected:
  events:
    - type: sanction
      description: The United States imposed sanctions on three Russian firms.
      actors: [{{name: United States, role: agent}}, {{name: three Russian firms, role: target}}]
      date: "2024-05-16"
      evidence: ["imposed sanctions on three Russian firms"]
    - type: denial
      description: Russia denied shipping drone parts to Iran.
      actors: [{{name: Russia, role: agent}}]
      evidence: ["Russia denied the accusation."]
    - type: weapons_test
      description: North Korea tested a ballistic missile.
      actors: [{{name: North Korea, role: agent}}]
      date: "2024-05"
      status: occurred
      evidence: ["North Korea tested a ballistic missile last week"]
  claims:
    - {{claimant: Treasury, claim: The firms shipped drone parts to Iran., stance: accuse, evidence: ["shipped drone parts to Iran"]}}
    - {{claimant: Maria Zakharova, claim: The sanctions are illegal., stance: condemn, quote: "These sanctions are illegal"}}
    - {{claimant: South Korea's military, claim: North Korea tested a ballistic missile last week., stance: assert,
       evidence: ["according to South Korea's military"]}}
  entities:
    - {{name: United States, type: country, aliases: [US]}}
    - {{name: Russia, type: country}}
    - {{name: North Korea, type: country, aliases: [DPRK]}}
    - {{name: Maria Zakharova, type: person}}
"""

# What a decent model might answer: two of three events (one with the wrong date), a false positive, two
# of three claims (one with the wrong stance), entities with an alias.
SMALL_ANSWER = ModelAnswer({
    "headline": "US sanctions Russian firms; North Korea tests a missile",
    "key_points": [{"sentences": [1], "text": "The US sanctioned three Russian firms."}],
    "entities": [
        {"name": "U.S.", "type": "country", "aliases": []},
        {"name": "DPRK", "type": "country", "aliases": []},
        {"name": "Iran", "type": "country", "aliases": []},
    ],
    "events": [
        {"sentences": [1], "type": "sanction", "description": "The US sanctioned three Russian firms.",
         "actors": [{"name": "US", "role": "agent"}, {"name": "Russian firms", "role": "target"}], "when": "on Thursday", "status": "occurred"},
        {"sentences": [5], "type": "weapons_test", "description": "North Korea tested a ballistic missile.",
         "actors": [{"name": "North Korea", "role": "agent"}], "when": "", "status": "occurred"},
        {"sentences": [6], "type": "statement", "description": "Analysts issued a statement on the missile capabilities.",
         "actors": [{"name": "Analysts", "role": "agent"}], "when": "", "status": "occurred"},
    ],
    "claims": [
        {"sentences": [2], "claimant": "Treasury", "claim": "The firms shipped drone parts to Iran.", "stance": "accuse"},
        {"sentences": [4], "claimant": "Maria Zakharova", "claim": "The sanctions are illegal.", "stance": "deny"},
    ],
})

SEED_FIXTURE = ROOT / "evals" / "fixtures" / "dev" / "seed_000.yaml"


def write_fixtures(folder: Path) -> Path:
    """The small fixture and a copy of the seed 000 fixture (pointing at the real seed) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small.yaml").write_text(SMALL_FIXTURE, encoding="utf-8")
    seed = SEED_FIXTURE.read_text(encoding="utf-8").replace("../../../seeds/", f"{ROOT / 'seeds'}/")
    (folder / "seed_000.yaml").write_text(seed, encoding="utf-8")
    return folder


def answer_for(text: str) -> ModelAnswer:
    """The canned answer for whichever fixture article a prompt holds."""
    return SMALL_ANSWER if "Zakharova" in text else seed_000_answer()


def canned_backend() -> Backend:
    """In process, no HTTP: answers through the real pipeline (validation, grounding, provenance)."""

    def create(*, response_model: type, messages: list[dict[str, str]], **_: Any) -> Any:
        return answer_for(json.dumps(messages)).validated(response_model)

    return Backend(id="canned/test", model="canned", mode=instructor.Mode.TOOLS, create=create, window_chars=100_000)


def line_for(fixture: Fixture, draft: dict[str, Any] | None = None) -> RunLine:
    backend = canned_backend()
    if draft is not None:
        backend.create = lambda response_model, **_: ModelAnswer(draft).validated(response_model)
    return ok_line(fixture.id, extract(fixture.article, backend), now(), 0.5)


def write_run(path: Path, lines: list[RunLine]) -> Path:
    path.write_text("".join(line.model_dump_json(exclude_none=True) + "\n" for line in lines), encoding="utf-8")
    return path


def make_run(folder: Path, run_path: Path) -> Path:
    """A run over `write_fixtures(folder)`, one canned line per fixture."""
    fixtures = [load_fixture(p) for p in sorted(folder.glob("*.yaml"))]
    return write_run(run_path, [line_for(f) for f in fixtures])
