"""The validation context: the numbered items a model call was shown (an article's sentences, a story's
timeline entries), which the answer may cite. In strict mode a bad citation raises, so instructor re-asks
with the reason; in lenient mode (the last resort) it is dropped and counted in `dropped`.

llm/structured.py sets it around every validated answer. It travels in a ContextVar rather than through
instructor's `context=`, because instructor renders the messages as Jinja templates whenever a context is
given, and article text must never be interpreted as a template.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import ValidationInfo

_CONTEXT: ContextVar[dict[str, Any] | None] = ContextVar("validation_context", default=None)


@contextmanager
def validation_context(shown: dict[int, str], *, lenient: bool = False) -> Iterator[dict[str, Any]]:
    """`shown`: {number: text} of what the model was shown."""
    ctx: dict[str, Any] = {"shown": shown, "lenient": lenient, "dropped": {}}
    token = _CONTEXT.set(ctx)
    try:
        yield ctx
    finally:
        _CONTEXT.reset(token)


def context_of(info: ValidationInfo) -> dict[str, Any]:
    return info.context or _CONTEXT.get() or {}


def count_drop(ctx: dict[str, Any], what: str, n: int = 1) -> None:
    if n:
        dropped = ctx.setdefault("dropped", {})
        dropped[what] = dropped.get(what, 0) + n


def only_shown(complaint: Callable[[list[int], dict[int, str]], str]) -> Callable[[list[int], ValidationInfo], list[int]]:
    """A citation validator: numbers that were not shown raise `complaint(bad, shown)` (strict) or are dropped
    and counted as "citations" (lenient); repeats go. Without a context (a record read back) all pass."""

    def check(value: list[int], info: ValidationInfo) -> list[int]:
        ctx = context_of(info)
        shown = ctx.get("shown")
        if shown is None:
            return value
        bad = [n for n in value if n not in shown]
        if bad and not ctx.get("lenient"):
            raise ValueError(complaint(bad, shown))
        count_drop(ctx, "citations", len(bad))
        return list(dict.fromkeys(n for n in value if n in shown))

    return check
