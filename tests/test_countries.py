"""Country codes from names: every name ISO 3166 gives a country is found, accents and hyphens included."""

from __future__ import annotations

import pycountry

from summarizer.rules.countries import country_code, named_countries


def test_every_iso_name_gets_its_code() -> None:
    names = {(n, c.alpha_3) for c in pycountry.countries for n in (c.name, getattr(c, "official_name", None)) if n}
    assert [(name, code, country_code(name)) for name, code in sorted(names) if country_code(name) != code] == []


def test_an_accented_iso_name_in_running_text_is_a_named_country() -> None:
    assert named_countries("Talks in Côte d'Ivoire and Curaçao ended.") == {"CIV": ["Côte d'Ivoire"], "CUW": ["Curaçao"]}
