"""The baseline gate: headline metrics now vs. a stored baseline; a drop beyond the tolerance fails CI.

Every headline metric is higher-is-better and lies in [0, 1], so the tolerance is absolute (0.02 = two
points of F1). A metric that is n/a on either side (no pairs to judge) is shown, not gated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from summarizer.errors import FixtureError
from summarizer.schema import SCHEMA_VERSION
from summarizer.evals.metrics import HEADLINE, Totals

DEFAULT_TOLERANCE = 0.02
_EPSILON = 1e-9  # float noise in re-computed metrics is not a regression


@dataclass(frozen=True)
class GateRow:
    metric: str
    baseline: float | None
    now: float | None
    regressed: bool

    @property
    def delta(self) -> float | None:
        return None if self.baseline is None or self.now is None else self.now - self.baseline

    @property
    def arrow(self) -> str:
        delta = self.delta
        if delta is None:
            return "?"
        return "=" if abs(delta) <= _EPSILON else "↑" if delta > 0 else "↓"


def write_baseline(path: Path, totals: Totals, *, fixtures: int, run: str | None) -> None:
    data = {
        "schema_version": SCHEMA_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "run": run,
        "fixtures": fixtures,
        "metrics": totals.headline(),  # unrounded: a replay of the same run must compare equal at tolerance 0
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise FixtureError(f"cannot write baseline ({exc.strerror})", source=str(path)) from None


def read_baseline(path: Path) -> dict[str, float | None]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        metrics = data["metrics"]
    except OSError as exc:
        raise FixtureError(f"cannot read baseline ({exc.strerror})", source=str(path)) from None
    except (ValueError, KeyError, TypeError):
        raise FixtureError("not a baseline file (JSON with a 'metrics' object)", source=str(path)) from None
    if not isinstance(metrics, dict):
        raise FixtureError("not a baseline file ('metrics' is not an object)", source=str(path))
    return metrics


def compare(baseline: dict[str, float | None], now: dict[str, float | None], tolerance: float) -> list[GateRow]:
    """One row per headline metric the baseline has (a metric the baseline lacks can't regress)."""
    rows = []
    for metric in [m for m in HEADLINE if m in baseline]:
        base, value = baseline[metric], now.get(metric)
        regressed = base is not None and value is not None and value < base - tolerance - _EPSILON
        rows.append(GateRow(metric, base, value, regressed))
    return rows
