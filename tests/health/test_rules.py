"""The health rules are the flag tables of the design, each with its wording, once."""

from datetime import date

import pytest

from govtrack.health import services
from govtrack.health.rules import Flag, Rule

#: the codes of DESIGN.md, "Health rules" (copied here: tests never read ../shared)
DESIGN_TABLES = {
    "workgroup": {"no_update", "milestone_overdue", "actions_overdue", "missed_report_backs",
                  "attendance_falling", "pdsa_stuck"},
    "committee": {"no_meeting", "chair_vacant", "chair_term_ending", "attendance_falling"},
    "mou": {"signature_stalled", "expiring", "lapsed"},
}


@pytest.mark.parametrize("kind", sorted(DESIGN_TABLES))
def test_the_rules_are_the_design_s_flag_table(kind):
    """Every code of the table has exactly one rule, and no rule is outside the table."""
    codes = [r.code for r in services.rules_of(kind)]
    assert sorted(codes) == sorted(DESIGN_TABLES[kind])


@pytest.mark.parametrize("rule", services.RULES, ids=lambda r: f"{r.kind}-{r.code}")
def test_every_rule_has_its_words(rule):
    """A rule without wording would show its code to a chair."""
    assert rule.words.strip()
    assert rule.words != rule.code


def test_words_for_reads_the_rule():
    """Pages and reminders word a flag from its rule."""
    assert services.words_for("committee", "chair_vacant") == "The chair is vacant"
    assert services.words_for("mou", "lapsed") == "Lapsed"


def test_a_rule_words_its_flag_with_the_threshold():
    """{days} in the wording is the record's threshold."""
    rule = Rule("workgroup", "no_update", "No activity for {days} days",
                since=lambda record, day: date(2026, 1, 2), threshold=lambda record: 45)
    flag = rule.flag(object(), date(2026, 2, 1))
    assert flag == Flag("no_update", date(2026, 1, 2))
    assert flag.words == "No activity for 45 days"
    assert str(flag) == "No activity for 45 days (since 2 January 2026)"


def test_a_rule_that_does_not_hold_raises_no_flag():
    rule = Rule("mou", "lapsed", "Lapsed", since=lambda record, day: None)
    assert rule.flag(object(), date(2026, 2, 1)) is None


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        services.rules_of("agency")
