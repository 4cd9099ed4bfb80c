"""A county file full of history (workgroups, PDSA, measures, MOUs and their renewals).

All of it happened on or before 2026-03-01, so the file can be imported at
any moment from then on: the county tests import it at different moments and
expect the same county.
"""

from tests.county.files import county


def with_history() -> dict:
    """The small county with a workgroup, a goal, a cycle, a measure and renewed MOUs."""
    data = county()
    cit = data["committees"][0]
    cit["workgroups"] = [
        {"key": "wg-inreach", "name": "Jail in-reach", "lead": "p-ortiz",
         "members": ["p-ortiz", "p-ruiz"], "report_back": "quarterly",
         "created_at": "2025-01-14T16:00:00Z",
         "updates": [{"at": "2026-02-01T12:00:00Z", "by": "p-ortiz", "text": "Clinician hired."}],
         "goals": [
             {"key": "g-beds", "title": "Cut the wait for inpatient beds",
              "end_date": "2026-12-31",
              "milestones": [
                  {"key": "m-protocol", "title": "Protocol drafted", "due": "2026-04-01",
                   "owner": "p-ortiz", "status": "open",
                   "due_changes": [{"from": "2025-11-01", "to": "2026-04-01",
                                    "at": "2025-10-20T14:00:00Z", "by": "p-ortiz",
                                    "reason": "The hospital changed its intake."}]}],
              "pdsa_cycles": [
                  {"key": "c-screen", "title": "Screen at booking", "owner": "p-ruiz",
                   "phase": "do",
                   "phase_history": [{"phase": "plan", "since": "2026-01-05"},
                                     {"phase": "do", "since": "2026-01-12"}],
                   "study_due": "2026-02-01"}]},
             {"key": "g-release", "title": "Appointments on release", "status": "achieved",
              "status_at": "2025-12-01T15:00:00Z", "milestones": []}]},
        {"key": "wg-data", "name": "Data", "members": [], "report_back": "quarterly",
         "created_at": "2025-03-11T20:30:00Z", "closed_at": "2025-12-09T21:00:00Z",
         "closed_reason": "merged", "closed_note": "Merged into the jail in-reach workgroup.",
         "updates": [], "goals": []},
    ]
    cit["measures"] = [
        {"key": "ms-wait", "name": "Days waiting for a bed", "unit": "days",
         "kind": "outcome", "direction": "down", "frequency": "weekly",
         "chart": {"rules": "ihi", "baseline_points": 4, "reset_on": "2025-03-01",
                   "show_limits": True, "target": 14},
         "points": [{"date": f"2025-{month:02d}-01", "value": 40 - month}
                    for month in range(1, 7)]},
    ]
    data["mous"] = [
        # executed in 2024, runs out on 31 July 2026; renewed last summer
        {"key": "mou-inreach", "title": "Jail in-reach protocol", "committee": "cit",
         "status": "superseded", "parties": ["omh", "sheriff"],
         "effective": "2024-08-01", "expires": "2026-07-31",
         "versions": [{"number": 1, "text": "First text.", "obligations": [],
                       "created_at": "2024-06-01T12:00:00Z",
                       "sent_for_signature_at": "2024-06-10T12:00:00Z"}],
         "signatures": [
             {"party": "omh", "person": "p-ruiz", "version": 1,
              "signed_at": "2024-06-20T14:00:00Z"},
             {"party": "sheriff", "person": "p-ortiz", "version": 1,
              "signed_at": "2024-06-21T14:00:00Z"}]},
        {"key": "mou-inreach-2026", "title": "Jail in-reach protocol (renewal)",
         "committee": "cit", "status": "executed", "parties": ["omh", "sheriff"],
         "supersedes": "mou-inreach", "effective": "2026-08-01", "expires": "2028-07-31",
         "versions": [{"number": 1, "text": "Renewed text.", "obligations": [],
                       "created_at": "2025-07-01T12:00:00Z",
                       "sent_for_signature_at": "2025-07-10T12:00:00Z"}],
         "signatures": [
             {"party": "omh", "person": "p-ruiz", "version": 1,
              "signed_at": "2025-07-20T14:00:00Z"},
             {"party": "sheriff", "person": "p-ortiz", "version": 1,
              "signed_at": "2025-08-01T14:00:00Z"}]},
        # executed, runs out on 30 June 2026; its amendment has been in review since January
        {"key": "mou-data", "title": "Data sharing", "committee": "cit", "status": "executed",
         "parties": ["omh", "sheriff"], "effective": "2024-07-01", "expires": "2026-06-30",
         "versions": [{"number": 1, "text": "Share the call data.", "obligations": [],
                       "created_at": "2024-05-01T12:00:00Z"}],
         "signatures": [
             {"party": "omh", "person": "p-ruiz", "version": 1,
              "signed_at": "2024-05-20T14:00:00Z"},
             {"party": "sheriff", "person": "p-ortiz", "version": 1,
              "signed_at": "2024-05-21T14:00:00Z"}]},
        {"key": "mou-data-2", "title": "Data sharing (amendment)", "committee": "cit",
         "status": "in_review", "parties": ["omh", "sheriff"], "supersedes": "mou-data",
         "versions": [{"number": 1, "text": "Share the call and bed data.", "obligations": [],
                       "created_at": "2026-01-10T12:00:00Z"}],
         "signatures": []},
    ]
    data["mous"].sort(key=lambda mou: mou["key"])  # as the export writes them
    return data
