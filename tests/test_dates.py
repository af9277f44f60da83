from datetime import date

import pytest

from summarizer.rules.dates import event_date, resolve_date

FRIDAY = date(2024, 5, 17)


@pytest.mark.parametrize(
    "words, value, precision",
    [
        ("on Thursday", "2024-05-16", "day"),
        ("last Friday", "2024-05-10", "day"),
        ("on Friday", "2024-05-17", "day"),
        ("next Monday", "2024-05-20", "day"),
        ("yesterday", "2024-05-16", "day"),
        ("three days ago", "2024-05-14", "day"),
        ("May 16", "2024-05-16", "day"),
        ("December 30", "2023-12-30", "day"),
        ("Sept. 3, 2023", "2023-09-03", "day"),
        ("16 May 2024", "2024-05-16", "day"),
        ("2024-05-16", "2024-05-16", "day"),
        ("January 2024", "2024-01", "month"),
        ("last week", "2024-05", "month"),
        ("last month", "2024-04", "month"),
        ("earlier this month", "2024-05", "month"),
        ("in March", "2024-03", "month"),
        ("in August", "2023-08", "month"),
        ("last year", "2023", "year"),
        ("in 2022", "2022", "year"),
    ],
)
def test_resolves_against_the_article_date(words, value, precision):
    resolved = resolve_date(words, FRIDAY)
    assert (resolved.value, resolved.precision.value) == (value, precision)


def test_thursday_in_an_article_dated_thursday_is_that_day():
    assert resolve_date("on Thursday", date(2024, 1, 11)).value == "2024-01-11"


def test_relative_dates_stay_unresolved_without_an_article_date():
    resolved = resolve_date("on Thursday", None)
    assert resolved.value is None and resolved.precision.value == "unknown"
    assert resolve_date("May 16, 2024", None).value == "2024-05-16"


def test_no_date_words_gives_none_and_fallback_uses_evidence():
    assert resolve_date("the sanctions were imposed", FRIDAY) is None
    assert event_date("", ["Officials met on Tuesday in Seoul."], FRIDAY).value == "2024-05-14"
    unknown = event_date("soon", ["No date here."], FRIDAY)
    assert unknown.value is None and unknown.precision.value == "unknown"
