"""The event type is checked against the words of the model's own description."""

import pytest

from summarizer.rules.event_types import checked_type, is_background
from summarizer.schema import EventType as T


@pytest.mark.parametrize(
    ("model_type", "description", "expected"),
    [
        (T.arms_transfer, "North Korea launched a Hwasong-18 missile on Monday in a test overseen by Kim.", T.weapons_test),
        (T.sanction, "The United States approved the sale of 40 F-16 jets to Turkey after parliament ratified Sweden's bid.", T.arms_transfer),
        (T.sanction, "The EU imposed sanctions on Iranian officers over drones supplied to Russia.", T.sanction),  # its own words: kept
        (T.meeting_or_visit, "Biden and Xi spoke for four hours.", T.meeting_or_visit),  # no type's words: kept
        (T.sanction, "Australia will buy nuclear-powered attack submarines.", T.arms_transfer),  # an attack submarine is no strike
        (T.statement, "Russia vetoed the resolution on Thursday.", T.veto_or_vote),
        (T.statement, "The Kremlin rejected the reports.", T.denial),
    ],
)
def test_checked_type(model_type, description, expected):
    assert checked_type(model_type, description) == expected


@pytest.mark.parametrize(
    ("description", "background"),
    [
        ("Ankara had held up Sweden's membership since May 2022.", True),
        ("Britain had already imposed sanctions on the same officers.", True),
        ("The US had been supplied with the data by its allies.", True),
        ("Turkey's parliament ratified Sweden's NATO membership.", False),
        ("North Korea has fired dozens of missiles this year.", False),
        ("Officials said they had no information.", False),  # "had" with no participle
    ],
)
def test_an_action_told_in_the_past_perfect_is_background(description, background):
    assert is_background(description) is background
