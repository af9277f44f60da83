"""instructor's per-call overhead, cut: its response model and async-validator check memoized per class."""

from __future__ import annotations

from typing import Any


def speed_up_instructor() -> None:
    """instructor 1.17 rebuilds the response model on every call: a new wrapper class (so its lru-cached
    JSON schema always misses) and a walk of the model tree checking for async validators, six times per
    request. Per call that is ~10 ms of CPU, more than everything else a batch does per article. Both
    depend only on the class, so memoize them. Only the cost changes; a later instructor without these
    functions is left alone."""
    try:
        from instructor.v2.core import function_calls, patch
        from instructor.v2.validation import async_validators
    except ImportError:
        return
    if getattr(function_calls.response_schema, "_memoized", False):
        return
    wrap, reject = function_calls.response_schema, async_validators.reject_async_validators
    wrapped: dict[type, type] = {}
    checked: set[Any] = set()

    def response_schema(cls: Any) -> Any:
        if cls not in wrapped:
            wrapped[cls] = wrap(cls)
        return wrapped[cls]

    def reject_async_validators(model: Any) -> None:
        try:
            if model in checked:
                return
        except TypeError:  # unhashable: no memo
            return reject(model)
        reject(model)
        if isinstance(model, type):
            checked.add(model)

    response_schema._memoized = True  # type: ignore[attr-defined]
    function_calls.response_schema = response_schema
    async_validators.reject_async_validators = reject_async_validators
    if hasattr(patch, "reject_async_validators"):
        patch.reject_async_validators = reject_async_validators
