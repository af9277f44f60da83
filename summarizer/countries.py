"""An actor's country code read by code from its name: the model no longer writes one per actor (answer
tokens), and when it did it was often wrong ("India" -> JPN)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Names news copy uses that ISO 3166 does not (it has "Russian Federation", "Türkiye"), and capitals standing
# for their governments ("Moscow said").
_NEWS_NAMES = {
    "us": "USA", "u.s.": "USA", "usa": "USA", "america": "USA", "washington": "USA",
    "uk": "GBR", "u.k.": "GBR", "britain": "GBR", "great britain": "GBR", "london": "GBR",
    "russia": "RUS", "moscow": "RUS", "kremlin": "RUS", "turkey": "TUR", "ankara": "TUR",
    "dprk": "PRK", "pyongyang": "PRK", "seoul": "KOR", "beijing": "CHN", "tehran": "IRN", "kyiv": "UKR",
    "syria": "SYR", "vietnam": "VNM", "taiwan": "TWN", "venezuela": "VEN", "bolivia": "BOL",
}


@lru_cache(maxsize=4096)
def country_code(name: str) -> str | None:
    """ISO 3166 alpha-3 code when the name is a country's ("the United States", "Britain"), else None: "Iran's
    foreign ministry" or "Houthi forces" are not clear enough to guess."""
    key = name.strip().lower().removeprefix("the ").strip()
    if key in _NEWS_NAMES or len(key) <= 3:  # no guessing at ISO's two- and three-letter codes ("PM", "AU")
        return _NEWS_NAMES.get(key)
    try:
        return pycountry.countries.lookup(key).alpha_3
    except LookupError:
        return None
