"""export(import(file)) gives the file back, for county files Hypothesis draws
(tests/county/strategies.py), and a second import changes nothing.

HYPOTHESIS_EXAMPLES lowers the number of files (at most 25: the whole test stays
under a minute on SQLite).
"""

import os

from hypothesis import HealthCheck, given, settings
from sqlalchemy import func, select

from govtrack.audit.models import AuditEntry
from govtrack.county.services import export_county, import_county
from tests.county.files import empty_tables
from tests.county.strategies import canonical, counties, missing_from

EXAMPLES = min(int(os.environ.get("HYPOTHESIS_EXAMPLES", "25")), 25)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(file=counties())
def test_export_of_an_import_is_the_file_and_a_second_import_changes_nothing(db, file):
    empty_tables(db)
    report = import_county(file)
    assert report.ok, report.problems
    db.session.commit()
    exported = export_county()
    assert missing_from(canonical(exported), canonical(file)) == []

    audited = db.session.scalar(select(func.count(AuditEntry.id)))
    again = import_county(file)
    assert again.ok, again.problems
    assert (again.created, again.updated, again.deleted) == (
        dict.fromkeys(again.created, 0), dict.fromkeys(again.updated, 0),
        dict.fromkeys(again.deleted, 0)), (again.changed_keys, again.deleted_keys)
    db.session.commit()
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audited
    assert canonical(export_county()) == canonical(exported)
    # the export itself imports unchanged too
    assert sum(import_county(exported, dry_run=True).updated.values()) == 0
    db.session.rollback()
