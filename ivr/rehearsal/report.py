"""A rehearsal's result: the table printed (failures first) and the HTML report beside it."""

from __future__ import annotations

import html
from pathlib import Path

from ivr.rehearsal.run import PathResult, Rehearsal


def _row(r: PathResult) -> tuple[str, str, str, str]:
    goal = f"{r.goal_seconds:.1f} s" if r.goal_seconds is not None else "-"
    at = r.path.at.strftime("%m-%d %H:%M") if r.path.at else "now"
    return ("FAIL" if r.failures else "ok", f"{r.path.number}. {r.path.name}", at, goal)


def ordered(rehearsal: Rehearsal) -> list[PathResult]:
    """Failures first, then the rest, each in path order."""
    return sorted(rehearsal.results, key=lambda r: (r.ok, r.path.number))


def table(rehearsal: Rehearsal) -> str:
    rows = [_row(r) for r in ordered(rehearsal)]
    width = max([len(name) for _, name, _, _ in rows] + [4])
    lines = [f"{'':4}  {'path':<{width}}  {'at':<11}  answer→goal"]
    for r, (state, name, at, goal) in zip(ordered(rehearsal), rows, strict=True):
        lines.append(f"{state:<4}  {name:<{width}}  {at:<11}  {goal}")
        lines.extend(f"        ✗ {failure}" for failure in r.failures)
    failed = len(rehearsal.failed)
    lines.append(
        f"{len(rehearsal.results)} path(s) rehearsed in {rehearsal.seconds:.0f} s: "
        f"{len(rehearsal.results) - failed} passed, {failed} failed"
    )
    lines.extend(f"not rehearsable: {item}" for item in rehearsal.plan.not_rehearsable)
    lines.extend(f"not at this moment: {moment}" for moment in rehearsal.plan.not_at_this_moment)
    return "\n".join(lines)


def write_html(rehearsal: Rehearsal, folder: Path) -> Path:
    """rehearsal-YYYYMMDD-HHMMSS.html in `folder`: every path, its checks and its prompts."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"rehearsal-{rehearsal.started:%Y%m%d-%H%M%S}.html"
    e = html.escape
    parts = [
        "<!doctype html><html lang='ko'><meta charset='utf-8'>",
        "<title>리허설 결과 · Rehearsal</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        ".FAIL{background:#fde8e8}.ok{background:#e8f6ea}small{color:#555}</style>",
        f"<h1>리허설 결과 · Rehearsal {rehearsal.started:%Y-%m-%d %H:%M}</h1>",
        f"<p>{len(rehearsal.results)}개 경로, 실패 {len(rehearsal.failed)}개 · "
        f"{len(rehearsal.results)} paths, {len(rehearsal.failed)} failed, {rehearsal.seconds:.0f} s</p>",
        "<table><tr><th></th><th>경로 · path</th><th>시각 · at</th><th>응답→목표 · answer→goal</th>"
        "<th>확인 · checks</th></tr>",
    ]
    for r in ordered(rehearsal):
        state, name, at, goal = _row(r)
        checks = "".join(f"<div>✗ {e(f)}</div>" for f in r.failures)
        prompts = "".join(
            f"<div><small>{e(node)} · {e(prompt.rsplit('/', 1)[-1])}: "
            f"{'-' if h.heard_seconds is None else f'{h.heard_seconds:.1f}'} / "
            f"{'-' if h.expected_seconds is None else f'{h.expected_seconds:.1f}'} s</small></div>"
            for prompt, node, h in r.heard
        )
        recorded = " &gt; ".join(e(s) for s in (r.recorded or []))
        parts.append(
            f"<tr class='{state}'><td>{state}</td><td>{e(name)}<br><small>{recorded}</small></td>"
            f"<td>{e(at)}</td><td>{e(goal)}</td><td>{checks}{prompts}</td></tr>"
        )
    parts.append("</table>")
    if rehearsal.plan.not_rehearsable:
        parts.append("<h2>리허설할 수 없는 분기 · Not rehearsable</h2><ul>")
        parts.extend(f"<li>{e(str(item))}</li>" for item in rehearsal.plan.not_rehearsable)
        parts.append("</ul>")
    path.write_text("\n".join(parts) + "\n</html>\n", encoding="utf-8")
    return path
