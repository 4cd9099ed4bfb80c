"""A PDSA cycle as a Word worksheet: the cycle, then Plan, Do, Study and Act."""

from docx import Document

from govtrack.clock import utcnow
from govtrack.documents.common import add_table, clean, labelled, person_label, to_bytes
from govtrack.pdsa.models import DECISIONS, PHASE_NAMES


def _text(value) -> str:
    return value if value else "—"


def pdsa_docx(cycle) -> bytes:
    """The cycle's worksheet: its goal and phase history, and all four phases as recorded."""
    goal = cycle.goal
    workgroup = goal.workgroup
    doc = Document()
    props = doc.core_properties
    props.title = clean(f"PDSA worksheet: {cycle.title}")[:255]
    props.author = props.last_modified_by = "govtrack"
    props.created = props.modified = utcnow().replace(tzinfo=None)
    props.revision = cycle.version or 1
    doc.add_paragraph(clean(workgroup.committee.name), style="Title")
    doc.add_heading(clean(f"PDSA worksheet: {cycle.title}"), level=1)
    labelled(doc, "Workgroup", workgroup.name)
    labelled(doc, "Goal", goal.title)
    labelled(doc, "Owner", person_label(cycle.owner))
    labelled(doc, "Phase", PHASE_NAMES[cycle.phase] + (
        f" since {cycle.phase_since.isoformat()}" if cycle.phase_since else ""))
    if cycle.previous is not None:
        labelled(doc, "Follows", cycle.previous.title)
    add_table(doc, ["Phase", "Since"],
              [[PHASE_NAMES[c.phase], c.since.isoformat()] for c in cycle.phase_history])

    doc.add_heading("Plan", level=2)
    labelled(doc, "Objective", _text(cycle.objective))
    labelled(doc, "Questions", _text(cycle.questions))
    labelled(doc, "Predictions", _text(cycle.predictions))
    labelled(doc, "Who, what, where, when", _text(cycle.who_what_where_when))
    labelled(doc, "Measures", _text(", ".join(cycle.measures)))
    labelled(doc, "Study date", cycle.study_due.isoformat() if cycle.study_due else "—")

    doc.add_heading("Do", level=2)
    labelled(doc, "Carried out", _text(cycle.carried_out))
    labelled(doc, "Observations", _text(cycle.observations))
    labelled(doc, "Problems", _text(cycle.problems))

    doc.add_heading("Study", level=2)
    labelled(doc, "Results against the predictions", _text(cycle.results))
    labelled(doc, "Lessons", _text(cycle.lessons))

    doc.add_heading("Act", level=2)
    labelled(doc, "Decision", DECISIONS.get(cycle.decision, "—") if cycle.decision else "—")
    labelled(doc, "Reason", _text(cycle.reason))
    return to_bytes(doc)
