"""Shared fixtures: seed articles, a valid model answer for seed 000, the fake server, the embedded model."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests/fake_openai.py is a helper module, also used by bench/

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "seeds" / "000_fc4c5d789ceb7862.txt"
SEED_003 = ROOT / "seeds" / "003_1f565a1a16ffb178.txt"


class ModelAnswer(dict):
    """A model's answers for one article, written as one draft with its events (`sentences`, `type`,
    `description`, ...) and claims (`sentences`, `claimant`, `claim`, `stance`). Called by the fake server
    with each request, it answers what that request asks: the first call's draft, or the events or claims of
    the sentences an events or claims call lists (an item answers for each sentence it cites)."""

    def __call__(self, request: dict) -> dict:
        text = json.dumps(request.get("messages", [])).replace('\\"', '"')
        kind = "events" if "Now list only the actions" in text else "claims" if "Now list only the claims" in text else "draft"
        return self.answer(kind, _requested_properties(request, text))

    def validated(self, response_model: type) -> Any:
        """The answer to an in-process call (no HTTP), validated as instructor would."""
        kind = {"EventsDraft": "events", "ClaimsDraft": "claims"}.get(response_model.__name__, "draft")
        return response_model.model_validate(self.answer(kind, list(response_model.model_json_schema()["properties"])))

    def answer(self, kind: str, keys: list[str]) -> dict:
        if kind == "draft":
            return {k: v for k, v in self.items() if k not in ("events", "claims")}
        by_sentence: dict[int, dict] = {}
        for item in self.get(kind, []):
            for n in item["sentences"] if kind == "events" else item["sentences"][:1]:
                by_sentence.setdefault(n, item)
        note = _event_note if kind == "events" else _claim_note
        return {key: note(item) if (item := by_sentence.get(int(key.split()[1]))) else None for key in keys}


def _event_note(item: dict) -> dict:
    """An events note: the item's first agent and first target by name."""
    named = {role: next((a["name"] for a in item.get("actors", []) if a["role"] == role), "") for role in ("agent", "target")}
    return {"type": item["type"], "description": item["description"], **named}


def _claim_note(item: dict) -> dict:
    return {f: item[f] for f in ("claimant", "claim", "stance")}


def _requested_properties(request: dict, text: str) -> list[str]:
    """The keys the request's schema asks for: in a tool, a response_format, or (JSON mode) the messages."""
    if request.get("tools"):
        return list(request["tools"][0]["function"]["parameters"].get("properties", {}))
    response_format = request.get("response_format") or {}
    if "json_schema" in response_format:
        return list(response_format["json_schema"]["schema"].get("properties", {}))
    return list(dict.fromkeys(re.findall(r'"(sentence \d+)"', text)))


def seed_000_answer() -> ModelAnswer:
    """A correct answer for seed 000, as a model would give it (sentence numbers, no offsets)."""
    return ModelAnswer({
        "headline": "US sanctions Russian entities over North Korean arms transfers",
        "key_points": [
            {"sentences": [1], "text": "The US sanctioned Russian entities over arms transfers between North Korea and Russia."},
            {"sentences": [7, 9], "text": "The US condemned Russia's veto of the Panel of Experts mandate."},
            {"sentences": [14], "text": "South Korea said a luxury car gift violated UN sanctions."},
        ],
        "entities": [
            {"name": "United States", "type": "country", "aliases": ["US", "America"]},
            {"name": "North Korea", "type": "country", "aliases": ["DPRK"]},
            {"name": "Matthew Miller", "type": "person", "aliases": []},
        ],
        "events": [
            {"sentences": [1, 3], "type": "sanction", "description": "The US imposed sanctions on five Russia-based individuals and entities.",
             "actors": [{"name": "United States", "role": "agent", "country": "USA"}, {"name": "Russia-based entities", "role": "target", "country": "rus"}],
             "when": "on Thursday", "location": None, "status": "occurred"},
            {"sentences": [7], "type": "veto_or_vote", "description": "Russia vetoed the resolution extending the Panel of Experts mandate.",
             "actors": [{"name": "Russia", "role": "agent", "country": "RUS"}], "when": "", "location": "UN Security Council", "status": "occurred"},
        ],
        "claims": [
            {"sentences": [4], "claimant": "Matthew Miller", "claim": "Russia relies on North Korean munitions.", "stance": "accuse"},
            {"sentences": [9], "claimant": "US State Department", "claim": "The US condemns Russia's veto.", "stance": "condemn"},
        ],
    })


@pytest.fixture
def seed_answer() -> dict:
    return seed_000_answer()


@pytest.fixture(scope="session")
def embedded_backend():
    """The real embedded default model, loaded once for all slow tests."""
    from summarizer.llm import resolve_backend

    return resolve_backend()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def chromium_page(page_file: Path, width: int = 1280) -> Iterator[tuple[Any, list[str]]]:
    """Debian's Chromium, headless, all network blocked: yields (page, problems); console errors, page
    errors and network requests land in `problems`, which the caller asserts empty."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
            page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
            page.route("http*://**", lambda route: (problems.append(f"network: {route.request.url}"), route.abort()))
            page.goto(page_file.as_uri())
            yield page, problems
        finally:
            browser.close()
