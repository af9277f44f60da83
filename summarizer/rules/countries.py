"""An actor's country code read by code from its name: the model no longer writes one per actor (answer
tokens), and when it did it was often wrong ("India" -> JPN)."""

from __future__ import annotations

import re
from functools import cache, lru_cache

import pycountry

from summarizer import rules
from summarizer.rules.names import normalize_name

# Names that news copy's variants normalize to ("Moscow", "Türkiye" -> "russia", "turkey") where ISO 3166 has
# another ("Russian Federation", "Türkiye"); rules/tables/actors.toml's `iso3`.
_ISO_LACKS = rules.actors().iso3


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166 alpha-3 code when the name is a country's ("the United States", "Britain", "Moscow"), else None:
    "Iran's foreign ministry" or "Houthi forces" are not clear enough to guess."""
    key = normalize_name(name)  # the eval's news variants: "U.S." -> "united states", "Kremlin" -> "russia"
    if key in _ISO_LACKS or len(key) <= 3:  # no guessing at ISO's two- and three-letter codes ("PM", "AU")
        return _ISO_LACKS.get(key)
    try:
        return pycountry.countries.lookup(key).alpha_3
    except LookupError:
        return None


# Forms news copy writes a country's name in besides ISO's (capitals are left out: "Moscow said" names a
# government, and "in Athens" a place); rules/tables/actors.toml's `forms`.
_SHORT_FORMS = rules.actors().forms


@cache
def _country_names() -> re.Pattern[str]:
    """Every country's name as written in running text, case-sensitive: ISO's name, common and official names
    but the inverted ones ("Korea, Republic of"), and the short forms; not the first words of a longer name."""
    forms = {n for c in pycountry.countries for n in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)) if n and "," not in n}
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
