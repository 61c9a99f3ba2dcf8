"""axe-core in the page: the WCAG 2 A/AA issues a real browser finds, by impact.

The desk's Content-Security-Policy forbids inline scripts, as it should: the
browser context that runs axe is opened with `bypass_csp=True`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "axe" / "axe.min.js"
BLOCKING = ("critical", "serious")
RUN = """async () => {
  const found = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"]}});
  return found.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary)}));
}"""


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations that must be fixed: critical and serious."""
    return [v for v in violations if v["impact"] in BLOCKING]


async def axe_issues(page: Any) -> list[dict[str, Any]]:
    """Critical and serious issues on the page as it is now (Playwright's async Page)."""
    await page.add_script_tag(path=str(AXE))
    return blocking(await page.evaluate(RUN))


def axe_issues_sync(page: Any) -> list[dict[str, Any]]:
    """The same for Playwright's sync Page."""
    page.add_script_tag(path=str(AXE))
    return blocking(page.evaluate(RUN))
