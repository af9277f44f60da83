"""Actor and speaker names as compared: news copy's variants of one name normalized to one key. Shared by the
eval's alignment, the briefing's merging and the actors' country codes."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Variants news copy uses for the same actor, normalized (lowercase, no dots) -> one key. Capitals stand
# for governments in news style ("Moscow said"), so they are aliases here too.
NAME_ALIASES = {
    "us": "united states", "usa": "united states", "united states of america": "united states",
    "america": "united states", "washington": "united states", "us government": "united states",
    "uk": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom", "london": "united kingdom",
    "dprk": "north korea", "democratic peoples republic of korea": "north korea", "pyongyang": "north korea",
    "rok": "south korea", "republic of korea": "south korea", "seoul": "south korea",
    "prc": "china", "peoples republic of china": "china", "beijing": "china",
    "russian federation": "russia", "moscow": "russia", "kremlin": "russia",
    "islamic republic of iran": "iran", "tehran": "iran",
    "kyiv": "ukraine", "kiev": "ukraine", "ankara": "turkey", "turkiye": "turkey",
    "eu": "european union", "un": "united nations", "nato": "north atlantic treaty organization",
    "unsc": "un security council", "security council": "un security council",
    "united nations security council": "un security council",
    "unga": "un general assembly", "general assembly": "un general assembly",
    "united nations general assembly": "un general assembly",
}


@lru_cache(maxsize=65536)
def normalize_name(name: str) -> str:
    """Case, accents ("Erdoğan"), dots ("U.S." = "US"), punctuation and a leading "the" don't make a
    different name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[.']", "", text.lower())
    text = re.sub(r"\W+", " ", text).strip()
    text = text.removeprefix("the ")
    return NAME_ALIASES.get(text, text)
