"""Forms for meetings, agenda items, requests, attendance, minutes and quorum."""

from markupsafe import Markup, escape
from wtforms import (
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from govtrack.agencies.models import SIDES
from govtrack.forms import Form, OnceForm, PlainSelect, VersionedForm, bounded_int
from govtrack.meetings.models import ATTENDANCE, ITEM_KINDS, PLACEMENTS, RSVPS, VOTES

LONG_TEXT = 100_000


class MeetingForm(VersionedForm):
    """When and where a meeting takes place."""

    day = DateField("Date", validators=[DataRequired(message="Enter a date.")])
    time = TimeField("Start time", validators=[DataRequired(message="Enter a time.")])
    duration_minutes = bounded_int("Length in minutes", 5, 1440, default=90)
    location = StringField("Place", validators=[Optional(), Length(max=500)])
    video_link = StringField("Video link", validators=[
        Optional(), Length(max=2000), URL(message="Enter a full address, https://…")])


class ItemForm(OnceForm):
    """An agenda item."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=list(ITEM_KINDS.items()), validators=[DataRequired()])
    minutes = bounded_int("Minutes", 1, 480, default=10)
    presenter = SelectField("Presenter", coerce=int, validators=[Optional()])
    workgroup_key = SelectField("Workgroup", validators=[Optional()], description=(
        "A report-back linked to a workgroup counts for its report-back schedule; its notes "
        "in the minutes become the workgroup's update."))
    mou_key = SelectField("MOU", validators=[Optional()])
    pdsa_key = SelectField("PDSA cycle", validators=[Optional()])
    measure_key = SelectField("Measure", validators=[Optional()])


class StandingItemForm(OnceForm):
    """An item on every agenda of the committee."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)],
                        description="For example: Call to order, Public comment, Adjourn.")
    kind = SelectField("Kind", choices=list(ITEM_KINDS.items()), default="information",
                       validators=[DataRequired()])
    minutes = bounded_int("Minutes", 1, 480, default=5)
    placement = SelectField("Where", choices=list(PLACEMENTS.items()), default="start",
                            validators=[DataRequired()])


class PlaceForm(Form):
    """Where the committee usually meets."""

    default_location = StringField("Usual place", validators=[Optional(), Length(max=500)],
                                   description="New meetings and calendar invitations use it "
                                   "unless a meeting names another place.")


class RequestForm(OnceForm):
    """A member asks for an item on the agenda."""

    title = StringField("What should the committee discuss?",
                        validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=list(ITEM_KINDS.items()), validators=[DataRequired()])
    minutes = bounded_int("Minutes needed", 1, 480, default=10)
    note = TextAreaField("Why (optional)", validators=[Optional(), Length(max=LONG_TEXT)])


class ActionForm(OnceForm):
    """A new action item, created while minuting."""

    title = StringField("Action", validators=[DataRequired(), Length(max=200)])
    owner = SelectField("Owner", coerce=int, validators=[DataRequired(
        message="Choose who owns it.")])
    due = DateField("Due", validators=[Optional()])


class RsvpForm(OnceForm):
    """A member's answer before the meeting; a double click records (and audits) it once."""

    answer = SelectField("Will you attend?", choices=list(RSVPS.items()),
                         validators=[DataRequired()])
    designee = SelectField("Your designee (if you know who)", coerce=int,
                           validators=[Optional()], widget=PlainSelect())


class QuorumForm(Form):
    """The committee's quorum rule."""

    min_present = bounded_int("Members present or represented needed", 1, 500, default=1)
    required_sides = SelectMultipleField(
        "Sides that must be present", choices=list(SIDES.items()), validators=[Optional()],
        description="For example, at least one criminal-justice and one behavioural-health "
        "agency.")


def attendance_form(members, designees: dict[int, list[tuple[int, str]]], formdata=None):
    """A form with a present/absent/designee choice and a designee per member.

    designees: each member's own choices by person id (a member with none gets "—" only);
    a designee not among a row's choices is refused on that row.
    """

    class AttendanceForm(OnceForm):
        pass

    nobody, statuses = [(0, "—")], list(ATTENDANCE.items())
    for m in members:
        setattr(AttendanceForm, f"status_{m.person_id}", RadioField(
            m.person.name, choices=statuses, default="absent",
            validators=[DataRequired()], widget=_inline_radios))
        setattr(AttendanceForm, f"designee_{m.person_id}", SelectField(
            f"Designee for {m.person.name}", coerce=int,
            choices=designees.get(m.person_id, nobody), validators=[Optional()],
            widget=PlainSelect(), validate_choice=False))
        setattr(AttendanceForm, f"validate_designee_{m.person_id}", _one_of_the_choices)
    return AttendanceForm(formdata=formdata) if formdata is not None else AttendanceForm()


def _inline_radios(field, **kwargs) -> Markup:
    """A member's present / absent / designee radios, side by side, written in one
    f-string each: through wtforms' sub-fields and widgets the grid's radios were most
    of the page's time."""
    name, data = escape(field.name), field.data
    required = " required" if field.flags.required else ""
    return Markup("".join(  # noqa: S704 (name, value and label escaped)
        f'<div class="usa-radio gt-inline">\n'
        f'  <input {"checked " if value == data else ""}class="usa-radio__input" '
        f'id="{name}-{i}" name="{name}"{required} type="radio" value="{escape(value)}">\n'
        f'  <label class="usa-radio__label" for="{name}-{i}">{escape(label)}</label>\n'
        f'</div>\n' for i, (value, label) in enumerate(field.choices)))


def _one_of_the_choices(form, field) -> None:
    """A row's designee comes from that member's own list (their agencies' people)."""
    if field.data not in {value for value, _ in field.choices}:
        raise ValidationError("Choose a designee from this member's list: the people of "
                              "the agencies they represent.")


class MinutedActionForm(OnceForm):
    """Correct an action item created while minuting."""

    title = StringField("Action", validators=[DataRequired(), Length(max=200)])
    owner = SelectField("Owner", coerce=int, validators=[DataRequired(
        message="Choose who owns it.")])
    due = DateField("Due", validators=[Optional()])


def minutes_form(meeting, formdata=None, amend: bool = False):
    """Notes per agenda item, the general text and decisions; a new action item on the side.

    The new action item is part of the same form, so adding one saves what
    was typed in the minutes too, and a refusal keeps all of it.
    """

    class MinutesForm(VersionedForm):
        version_required = True
        text = TextAreaField("General notes (Markdown)",
                             validators=[Optional(), Length(max=LONG_TEXT)])
        decisions = TextAreaField("Decisions", validators=[Optional(), Length(max=LONG_TEXT)],
                                  description="One decision per line.")
        action_title = StringField("Action", validators=[Optional(), Length(max=200)])
        action_owner = SelectField("Owner", coerce=int, validators=[Optional()])
        action_due = DateField("Due", validators=[Optional()])

        def validate_for_action(self) -> bool:
            """Adding an action item: it says what and who."""
            ok = True
            if not self.action_title.data:
                self.action_title.errors = [*self.action_title.errors,
                                            "Say what is to be done."]
                ok = False
            if not self.action_owner.data:
                self.action_owner.errors = [*self.action_owner.errors, "Choose who owns it."]
                ok = False
            return ok

    if amend:
        MinutesForm.reason = TextAreaField(
            "Why are the approved minutes amended?",
            validators=[DataRequired(message="Say why the approved minutes are amended."),
                        Length(max=2000)],
            description="Kept in the committee's history with the change.")

    for item in meeting.items:
        setattr(MinutesForm, f"notes_{item.id}", TextAreaField(
            f"Notes on “{item.title}” (Markdown)",
            validators=[Optional(), Length(max=LONG_TEXT)]))
    return MinutesForm(formdata=formdata) if formdata is not None else MinutesForm()


def motion_form(voters, items, formdata=None):
    """A motion: its words, its agenda item, mover, seconder, a vote per member present."""

    people = [(m.person_id, f"{m.person.name} — {m.agency.name}") for m in voters]

    class MotionForm(OnceForm):
        text = TextAreaField("Motion", validators=[DataRequired(message="Write the motion."),
                                                   Length(max=2000)],
                             description="For example: That the committee adopts the "
                             "drop-off protocol.")
        item = SelectField("Agenda item", coerce=int, validators=[Optional()],
                           choices=[(0, "—")] + [(i.id, i.title) for i in items])
        mover = SelectField("Moved by", coerce=int, choices=[(0, "—")] + people,
                            validators=[DataRequired(message="Choose who moved it.")])
        seconder = SelectField("Seconded by", coerce=int, choices=[(0, "—")] + people,
                               validators=[Optional()])

    for m in voters:
        setattr(MotionForm, f"vote_{m.person_id}", SelectField(
            f"Vote of {m.person.name}", choices=[("", "Choose")] + list(VOTES.items()),
            validators=[DataRequired(message=f"Choose the vote of {m.person.name}.")]))
    return MotionForm(formdata=formdata) if formdata is not None else MotionForm()
