"""WCAG 2 A/AA checks of a rendered page with axe-core (the npm devDependency in package.json).

    from tests.support.axe import assert_no_axe_violations
    page.goto(url); assert_no_axe_violations(page)

axe runs inside the page as it is, under the portal's Content-Security-Policy: its source is
evaluated through the DevTools protocol (which a page's policy does not govern) instead of being
added as a <script> element, which the policy would rightly refuse.
"""

from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# The rule sets of WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@cache
def axe_source() -> str:
    if not AXE_SCRIPT.exists():  # `npm ci` installs it (make test does)
        pytest.fail(f"{AXE_SCRIPT} is missing: run 'npm ci' in the project root")
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page: Page, tags: list[str] | None = None) -> list[dict]:
    """axe's violations on the page as it is now: dicts with id, impact, help, helpUrl and
    nodes (each with target and failureSummary)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # The source defines window.axe; wrapping it in a function body keeps its helpers out of
        # the page's global scope.
        page.evaluate("() => {\n" + axe_source() + "\n}")
    return page.evaluate(
        """async (tags) => {
            const result = await window.axe.run(document, {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary})),
            }));
        }""",
        tags or WCAG_AA_TAGS,
    )


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                     f"[{violation['helpUrl']}]")
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, tags: list[str] | None = None) -> None:
    """Fail with the id, targets and help of every WCAG 2 A/AA violation axe finds on `page`."""
    violations = axe_violations(page, tags)
    assert not violations, (f"accessibility violations on {page.url}:\n"
                            + describe_violations(violations))
