"""Who said what: claims grouped by claimant (canonical names and aliases; a spokesperson's under the body
they speak for), the same claim reported by two articles folded into one citing both."""

from __future__ import annotations

import re

from summarizer import rules
from summarizer.brief.entities import EntityCluster, distinct_names, spelling
from summarizer.brief.inputs import Source
from summarizer.brief.models import BriefClaim, ClaimGroup, citation
from summarizer.match.align import CLAIM_THRESHOLD, align, canonical, claim_similarities
from summarizer.rules.names import normalize_name
from summarizer.schema import Claim, ClaimantType, EntityType

# Roles whose holder speaks for the organization named before them ("US State Department spokesperson
# Matthew Miller" -> the State Department): rules/tables/speakers.toml.
_SPOKES_ROLE = rules.spokesperson_role()
_CAPITALIZED = r"(?:(?:[A-Z]\.)+|[A-Z][\w'\u2019-]*)"  # "U.S." or "Department", never "Friday." ending a sentence


def _spokes_match(name: str, text: str) -> str | None:
    """The words naming the body `name` speaks for, when the text calls them its spokesperson."""
    pattern = rf"((?:{_CAPITALIZED}\s+){{1,6}}){_SPOKES_ROLE}\s*,?\s+{re.escape(name)}\b"
    match = re.search(pattern, text)
    return match.group(1).strip() if match else None


def _body(words: str, bodies: dict[str, str]) -> str | None:
    """The known organization or government body `words` name: the whole run, else its beginning ("White
    House National Security Council" -> the White House; never the "Security Council" inside it)."""
    parts = re.sub(r"^(the|a|an)\s+", "", words.strip(), flags=re.IGNORECASE).split()
    for end in range(len(parts), 0, -1):
        key = bodies.get(spelling(re.sub(r"['\u2019]s$", "", " ".join(parts[:end]))))
        if key:
            return key
    return None


def _person_and_body(claimant: str, texts: list[str], bodies: dict[str, str]) -> tuple[str, str | None]:
    """("Matthew Miller", "us state department") for "US State Department spokesperson Matthew Miller", or for
    "Matthew Miller" when an article calls him that."""
    inline = re.match(rf"(.*?)\s*\b{_SPOKES_ROLE}\s*,?\s+(.+)$", claimant, flags=re.IGNORECASE)
    if inline and inline.group(1):
        body = _body(inline.group(1), bodies)
        if body:
            return inline.group(2).strip(), body
    for text in texts:
        words = _spokes_match(claimant, text)
        if words:
            body = _body(words, bodies)
            if body:
                return claimant, body
    return claimant, None


def _merge_subsets(keys: list[str], countries: set[str]) -> dict[str, str]:
    """Fold a key into the only other key whose words include all of its words ("state department" ->
    "us state department", "miller" -> "matthew miller"). A country never folds into one of its bodies, and
    lists of speakers ("x and y") never absorb anyone."""
    words = {k: frozenset(k.split()) - {"the", "of"} for k in keys}
    target: dict[str, str] = {}
    for key in keys:
        if key in countries or not words[key]:
            continue
        wider = [o for o in keys if o != key and " and " not in o and words[key] < words[o]]
        if len(wider) == 1:
            target[key] = wider[0]
    resolved = {}
    for key in keys:
        seen, k = set(), key
        while k in target and k not in seen:
            seen.add(k)
            k = target[k]
        resolved[key] = k
    return resolved


def _claim_entries(source: Source, claim: Claim, entry_ids: dict[tuple[int, str], str]) -> list[str]:
    """The entries a claim is about: its event ids, else the events citing one of its sentences."""
    linked = [entry_ids[(source.n, e)] for e in claim.event_ids if (source.n, e) in entry_ids]
    if not linked:
        cited = {e.sentence for e in claim.evidence}
        linked = [entry_ids[(source.n, ev.id)] for ev in source.record.events if cited & {e.sentence for e in ev.evidence}]
    return sorted(dict.fromkeys(linked), key=lambda t: int(t[1:]))


def group_claims(
    sources: list[Source], clusters: list[EntityCluster], aliases: dict[str, str], entry_ids: dict[tuple[int, str], str]
) -> list[ClaimGroup]:
    """Claims grouped by claimant (canonical names and aliases; a spokesperson's under the body they speak
    for), the same claim reported by two articles folded into one citing both."""
    # every spelling of every organization and government body (entities, and claimants typed so) -> its key
    bodies = {
        spelling(c.claimant): canonical(c.claimant, aliases)
        for source in sources
        for c in source.record.claims
        if c.claimant_type in (ClaimantType.government_body, ClaimantType.organization)
    }
    organizations = (EntityType.government_body, EntityType.organization)
    bodies.update({spelling(n): normalize_name(c.name) for c in clusters if c.type in organizations for n in c.names})
    countries = {normalize_name(c.name) for c in clusters if c.type is EntityType.country}
    display = {normalize_name(c.name): c.name for c in clusters}
    rows: list[tuple[Source, Claim, str, str, str | None]] = []  # (source, claim, speaker, speaker key, body key)
    for source in sources:
        texts = [source.input.text] if source.input.text else [e.text for c in source.record.claims for e in c.evidence]
        for claim in source.record.claims:
            speaker, body = _person_and_body(claim.claimant.strip(), texts, bodies)
            rows.append((source, claim, speaker, canonical(speaker, aliases), body))
    keys = list(dict.fromkeys([k for *_, k, _ in rows] + [b for *_, b in rows if b]))
    resolved = _merge_subsets(keys, countries)
    # a spokesperson found in one article speaks for the body in every article
    body_of = {resolved[k]: resolved[b] for *_, k, b in rows if b}
    groups: dict[str, list[tuple[Source, Claim, str, bool]]] = {}
    for source, claim, speaker, key, _ in rows:
        person = resolved[key]
        groups.setdefault(body_of.get(person, person), []).append((source, claim, speaker, person in body_of))
    result = []
    for key, items in groups.items():
        speakers = distinct_names(s for _, _, s, spokes in items if spokes)
        names = [c.claimant for _, c, _, spokes in items if not spokes]
        name = display.get(key) or (max(names, key=lambda n: (names.count(n), len(n))) if names else key)
        result.append(ClaimGroup(name=name, speakers=speakers, claims=_fold_claims([(s, c) for s, c, _, _ in items], entry_ids)))
    result.sort(key=lambda g: -len(g.claims))
    return result


def _fold_claims(items: list[tuple[Source, Claim]], entry_ids: dict[tuple[int, str], str]) -> list[BriefClaim]:
    """One claimant's claims; the same claim from a later article adds its citation instead of a line."""
    folded: list[tuple[Claim, BriefClaim]] = []
    by_source: dict[int, list[tuple[Source, Claim]]] = {}
    for source, claim in items:
        by_source.setdefault(source.n, []).append((source, claim))
    for n in sorted(by_source):
        batch = by_source[n]
        known = [c for c, _ in folded]
        claims = [c for _, c in batch]
        result = align(claims, known, claim_similarities(claims, known), CLAIM_THRESHOLD)
        for pair in result.pairs:
            source, claim = batch[pair.pred]
            target = folded[pair.gold][1]
            target.citations.append(citation(n, claim.id, claim.evidence))
            target.entries = sorted(set(target.entries) | set(_claim_entries(source, claim, entry_ids)), key=lambda t: int(t[1:]))
            target.quote = target.quote or claim.quote
        for i in result.unmatched_pred:
            source, claim = batch[i]
            brief = BriefClaim(
                claimant=claim.claimant,
                claim=claim.claim,
                quote=claim.quote,
                stance=claim.stance,
                attribution=claim.attribution,
                entries=_claim_entries(source, claim, entry_ids),
                citations=[citation(n, claim.id, claim.evidence)],
            )
            folded.append((claim, brief))
    return [b for _, b in folded]
