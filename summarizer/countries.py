"""An actor's country code read by code from its name: the model no longer writes one per actor (answer
tokens), and when it did it was often wrong ("India" -> JPN)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from .names import normalize_name

# Names that news copy's variants normalize to ("Moscow", "Türkiye" -> "russia", "turkey") where ISO 3166 has
# another ("Russian Federation", "Türkiye").
_ISO_LACKS = {"russia": "RUS", "turkey": "TUR"}


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
