"""Judging axe results: which violations block."""

from tests.browser.conftest import describe_violations

#: impacts that fail the test; moderate and minor ones are printed, not failed.
BLOCKING = {"serious", "critical"}


def assert_no_blocking(found: dict[str, list[dict]]) -> None:
    """Print every violation; fail on the serious and critical ones."""
    report, blocking = [], []
    for path, violations in found.items():
        if violations:
            report.append(f"{path}\n{describe_violations(violations)}")
        blocking += [(path, v["id"]) for v in violations if v["impact"] in BLOCKING]
    if report:
        print("\naxe violations (WCAG 2.1 A/AA):\n" + "\n".join(report))
    assert not blocking, (
        f"{len(blocking)} serious or critical axe violations: {blocking}\n" + "\n".join(report))
