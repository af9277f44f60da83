"""An actor's country code read by code from its name: the model no longer writes one per actor (answer
tokens), and when it did it was often wrong ("India" -> JPN)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

import pycountry

from summarizer import rules
from summarizer.rules.names import normalize_name

# Names that news copy's variants normalize to ("Moscow", "Türkiye" -> "russia", "turkey") where ISO 3166 has
# another ("Russian Federation", "Türkiye"); rules/tables/actors.toml's `iso3`.
_ISO_LACKS = rules.actors().iso3


def _iso_names() -> Iterator[tuple[str, str]]:
    """(name, alpha-3) for every name ISO 3166 gives a country: its name, common and official names."""
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            if name := getattr(country, attribute, None):
                yield name, country.alpha_3


@cache
def _codes() -> dict[str, str]:
    """ISO's names normalized as the names looked up are, so that "Côte d'Ivoire" and "Guinea-Bissau" are found
    (a lookup of the normalized name in pycountry lost their accents and hyphens), and rules/tables/actors.toml's
    `iso3` for the countries ISO names otherwise ("russia", "turkey")."""
    return {normalize_name(name): code for name, code in _iso_names()} | _ISO_LACKS


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166 alpha-3 code when the name is a country's ("the United States", "Britain", "Moscow"), else None:
    "Iran's foreign ministry" or "Houthi forces" are not clear enough to guess."""
    key = normalize_name(name)  # the eval's news variants: "U.S." -> "united states", "Kremlin" -> "russia"
    if len(key) <= 3 and key not in _ISO_LACKS:  # no guessing at ISO's two- and three-letter codes ("PM", "AU")
        return None
    return _codes().get(key)


# Forms news copy writes a country's name in besides ISO's (capitals are left out: "Moscow said" names a
# government, and "in Athens" a place); rules/tables/actors.toml's `forms`.
_SHORT_FORMS = rules.actors().forms


@cache
def _country_names() -> re.Pattern[str]:
    """Every country's name as written in running text, case-sensitive: ISO's name, common and official names
    but the inverted ones ("Korea, Republic of"), and the short forms; not the first words of a longer name."""
    forms = {name for name, _ in _iso_names() if "," not in name}
    alternatives = "|".join(re.escape(f) for f in sorted(forms | _SHORT_FORMS, key=len, reverse=True))
    # not the first part of a longer name ("Jordan Smith", "Chad Brown")
    return re.compile(rf"(?<![\w.-])(?:{alternatives})(?![\w-])(?!\s+[A-Z][a-z])")


def named_countries(text: str) -> dict[str, list[str]]:
    """The countries the text names, in order of first mention: {alpha-3 code: the forms it writes, first first}."""
    found: dict[str, list[str]] = {}
    for match in _country_names().finditer(text):
        code = country_code(match.group())
        if code and match.group() not in found.setdefault(code, []):
            found[code].append(match.group())
    return found
