"""Where an action item came from, as a link: its meeting, workgroup, MOU or PDSA cycle."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from govtrack.actions.models import ORIGINS, ActionItem
from govtrack.extensions import db
from govtrack.meetings.models import Meeting
from govtrack.mous.models import Mou
from govtrack.pdsa.models import PdsaCycle
from govtrack.workgroups.models import Workgroup


@dataclass
class Origin:
    """A record the action belongs to, in words, with the page that shows it."""

    kind: str  #: the kind in words ("Meeting", "MOU obligation", ...)
    label: str
    endpoint: str
    key: str


def _meeting(key: str) -> Origin | None:
    meeting = db.session.scalar(select(Meeting).where(Meeting.key == key))
    if meeting is None:
        return None
    on = meeting.starts_at.astimezone(ZoneInfo(meeting.committee.timezone)).date()
    return Origin(ORIGINS["meeting"], f"Meeting of {on:%-d %B %Y}", "meetings.meeting_detail",
                  key)


def _by_title(model, endpoint: str, kind: str):
    def find(key: str) -> Origin | None:
        row = db.session.execute(select(model.title).where(model.key == key)).first()
        return Origin(ORIGINS[kind], row.title, endpoint, key) if row else None
    return find


def _workgroup(key: str) -> Origin | None:
    row = db.session.execute(select(Workgroup.name).where(Workgroup.key == key)).first()
    return Origin(ORIGINS["workgroup"], row.name, "workgroups.workgroup_detail",
                  key) if row else None


_FIND = {"meeting": _meeting, "workgroup": _workgroup,
         "mou": _by_title(Mou, "mous.mou_detail", "mou"),
         "pdsa": _by_title(PdsaCycle, "pdsa.cycle_detail", "pdsa")}


def origins(action: ActionItem) -> list[Origin]:
    """The action's origin, then its workgroup if that is another record; each once."""
    found = []
    if action.origin_kind in _FIND and action.origin_ref:
        found.append(_FIND[action.origin_kind](action.origin_ref))
    if action.meeting_id is not None and action.origin_kind != "meeting":
        meeting = db.session.get(Meeting, action.meeting_id)
        found.append(_meeting(meeting.key) if meeting else None)
    if action.workgroup_key and not (action.origin_kind == "workgroup"
                                     and action.origin_ref == action.workgroup_key):
        found.append(_workgroup(action.workgroup_key))
    return [o for o in found if o is not None]
