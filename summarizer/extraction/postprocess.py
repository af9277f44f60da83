"""The code rules that post-process the model's answers, as named steps in the order they run. Each can be
turned off (`PostSteps.without`), which gives the neutral behaviour: the notes are kept, the model's value
is kept, or the field stays at its default. `summarizer eval --replay RUN --rules` scores a run with each
turned off in turn (evals/README.md, "Rule ablation"). Grounding (sentence numbers to spans) and schema
validation are not steps: without them there is no record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace

from summarizer.errors import ConfigError


def _step(description: str) -> bool:
    return field(default=True, metadata={"description": description})


@dataclass(frozen=True)
class PostSteps:
    """Which post-processing steps run; all by default. The fields are the registry, in pipeline order."""

    drop_speech_events: bool = _step("an event note telling who said what is dropped: the claims call reads that sentence")
    drop_filler_events: bool = _step("a sanction or statement note over words of no type is dropped (the model's filler)")
    drop_background_events: bool = _step("an action told in the past perfect is dropped as the story's background")
    check_type: bool = _step("an event's type is replaced by the type its description's words name")
    trim_description: bool = _step("a description cut by the grammar's length cap is cut back to its last whole word")
    split_actors: bool = _step("'the United States and Britain' is two actors when each part is a country or an entity")
    actor_countries: bool = _step("an actor's country code is read off its name")
    event_date: bool = _step("an event's date is read off its sentence's date words (else unknown)")
    event_status: bool = _step("an event's status is read off its sentence's cues (else occurred)")
    fold_neighbours: bool = _step("one action told by neighbouring sentences is folded into one event")
    recite_claims: bool = _step("a claim note is moved to the sentence (at most two away) whose words it holds")
    claimant_type: bool = _step("a claimant's type comes from the entity list or government words (else other)")
    claim_quote: bool = _step("a claim's quote is the quoted passage inside its sentence (else none)")
    claim_attribution: bool = _step("a claim's attribution is read off its sentence (else other)")
    claim_stance: bool = _step("a plain assert becomes the stance its sentence's words name")
    claim_events: bool = _step("a claim's event ids are the events citing its sentence (else none)")
    entity_speakers: bool = _step("the entity list is completed with the claimants it lacks")
    entity_countries: bool = _step("the entity list is completed with the countries the article names")

    @classmethod
    def without(cls, disabled: Iterable[str]) -> PostSteps:
        """All steps but the named ones; an unknown name is a ConfigError listing the known ones."""
        disabled = set(disabled)
        unknown = sorted(disabled - set(STEP_NAMES))
        if unknown:
            raise ConfigError(f"unknown post-processing step {', '.join(unknown)} (known: {', '.join(STEP_NAMES)})")
        return replace(cls(), **{name: False for name in disabled})


STEPS: dict[str, str] = {f.name: f.metadata["description"] for f in fields(PostSteps)}  # name -> what it does
STEP_NAMES = tuple(STEPS)
ALL_STEPS = PostSteps()
