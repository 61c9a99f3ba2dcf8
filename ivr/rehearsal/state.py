"""The last rehearsal's result, kept for the service's /metrics (`ivr rehearse --every`).

`ivr rehearse` is its own process; it writes `rehearsal-last.json` into
storage.state_dir after every run (atomically), and the service reads it when
/metrics is scraped: `hotline_rehearsal_*`, so the monitoring that watches
the hotline alerts on a failed path as on anything else.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ivr.rehearsal.run import Rehearsal

FILE = "rehearsal-last.json"


def write(state_dir: Path, rehearsal: Rehearsal, which: str) -> Path:
    """Keep the summary of `rehearsal`; returns the file."""
    data = {
        "finished_at": (rehearsal.started.timestamp() + rehearsal.seconds),
        "seconds": round(rehearsal.seconds, 1),
        "paths": len(rehearsal.results),
        "failed": len(rehearsal.failed),
        "which": which,
        "failures": [
            {"path": f"{r.path.number}. {r.path.name}", "failures": r.failures} for r in rehearsal.failed
        ],
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read(state_dir: Path) -> dict[str, Any] | None:
    """The last run's summary, or None when there was none (or it cannot be read)."""
    try:
        data = json.loads((state_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def exposition(state_dir: Path) -> list[str]:
    """Prometheus lines for the last rehearsal; none before the first run."""
    last = read(state_dir)
    if last is None:
        return []
    return [
        "# HELP hotline_rehearsal_paths Paths the last `ivr rehearse` run called.",
        "# TYPE hotline_rehearsal_paths gauge",
        f"hotline_rehearsal_paths {int(last.get('paths', 0))}",
        "# HELP hotline_rehearsal_failed_paths Paths that failed in the last `ivr rehearse` run.",
        "# TYPE hotline_rehearsal_failed_paths gauge",
        f"hotline_rehearsal_failed_paths {int(last.get('failed', 0))}",
        "# HELP hotline_rehearsal_last_run_timestamp_seconds When the last `ivr rehearse` run finished.",
        "# TYPE hotline_rehearsal_last_run_timestamp_seconds gauge",
        f"hotline_rehearsal_last_run_timestamp_seconds {float(last.get('finished_at', 0)):.0f}",
        "# HELP hotline_rehearsal_duration_seconds How long the last `ivr rehearse` run took.",
        "# TYPE hotline_rehearsal_duration_seconds gauge",
        f"hotline_rehearsal_duration_seconds {float(last.get('seconds', 0)):.1f}",
    ]
