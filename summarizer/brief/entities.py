"""One entity per real-world entity across a story's articles, merged on canonical names and aliases."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.brief.inputs import Source
from summarizer.match.align import ENTITY_THRESHOLD, align, entity_similarities
from summarizer.schema import Entity, EntityType


@dataclass
class EntityCluster:
    name: str
    type: EntityType
    names: list[str]  # every spelling seen, display name first
    sources: list[int]

    def as_entity(self) -> Entity:
        return Entity(name=self.name, type=self.type, aliases=self.names[1:])


def spelling(name: str) -> str:
    """Spellings that differ only in case, dots or spacing are one ("U.S." = "US"; "US" != "United States")."""
    return " ".join(name.replace(".", "").lower().split())


def distinct_names(names: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())
        if name and spelling(name) not in seen:
            seen[spelling(name)] = name
    return list(seen.values())


def merge_entities(sources: list[Source]) -> list[EntityCluster]:
    """One entity per real-world entity: the harness's entity alignment (shared name or alias, type)
    against the entities merged so far, article by article."""
    clusters: list[EntityCluster] = []
    for source in sources:
        entities = source.record.entities
        known = [c.as_entity() for c in clusters]
        result = align(entities, known, entity_similarities(entities, known), ENTITY_THRESHOLD)
        for pair in result.pairs:
            cluster, entity = clusters[pair.gold], entities[pair.pred]
            cluster.names = distinct_names([*cluster.names, entity.name, *entity.aliases])
            if source.n not in cluster.sources:
                cluster.sources.append(source.n)
        for i in result.unmatched_pred:
            entity = entities[i]
            clusters.append(EntityCluster(entity.name, entity.type, distinct_names([entity.name, *entity.aliases]), [source.n]))
    return clusters
