"""Forms for committees, their stage and their memberships."""

from datetime import datetime

from wtforms import DateField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from govtrack.committees.cadence import (
    FREQUENCIES,
    ORDINALS,
    WEEKDAYS,
    CadenceChoice,
    build_rrule,
    choice_from_rrule,
)
from govtrack.committees.models import KINDS, ROLES, STAGES
from govtrack.forms import OnceForm, VersionedForm, bounded_int

LONG_TEXT = 100_000


class CommitteeForm(VersionedForm):
    """A committee's set-up, purpose, goals and cadence."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Kind", choices=list(KINDS.items()), validators=[DataRequired()])
    end_date = DateField("End date", validators=[Optional()],
                         description="Time-limited committees and projects only.")
    funding_source = StringField("Funding source", validators=[Optional(), Length(max=500)],
                                 description="For a grant-funded project: the grant.")
    purpose = TextAreaField("Purpose / shared problem statement",
                            validators=[Optional(), Length(max=LONG_TEXT)])
    goals = TextAreaField("Shared goals", validators=[Optional(), Length(max=LONG_TEXT)],
                          description="One goal per line.")
    timezone = SelectField("Time zone", validators=[DataRequired()])
    frequency = SelectField("Meets", choices=[("", "No regular meetings")] + [
        (code, label) for code, (label, _, _) in FREQUENCIES.items()], validators=[Optional()])
    week_of_month = SelectField("Week of the month", coerce=int, choices=[
        (n, word.capitalize()) for n, word in ORDINALS.items()], validators=[Optional()],
        description="For monthly and quarterly meetings.")
    weekday = SelectField("Day", choices=list(WEEKDAYS.items()), validators=[Optional()])
    first_meeting = DateField("First regular meeting", validators=[Optional()])
    start_time = TimeField("Start time", validators=[Optional()])
    duration_minutes = bounded_int("Length in minutes", 5, 1440, default=90)
    cadence_rrule = StringField(
        "Or a recurrence rule (RRULE, advanced)", validators=[Optional(), Length(max=500)],
        description="Replaces the choices above, e.g. FREQ=MONTHLY;BYDAY=2TU.")
    stall_after_days = bounded_int(
        "Flag a workgroup as stalled after this many days without an update", 1, 365,
        default=30)

    def load_cadence(self, committee) -> None:
        """Fill the cadence choices from the committee's RRULE."""
        choice = choice_from_rrule(committee.cadence_rrule)
        if choice is not None:
            self.frequency.data = choice.frequency
            self.weekday.data = choice.weekday
            self.week_of_month.data = choice.week_of_month or 1
            self.cadence_rrule.data = ""
        if committee.cadence_dtstart:
            self.first_meeting.data = committee.cadence_dtstart.date()
            self.start_time.data = committee.cadence_dtstart.time()
        self.goals.data = "\n".join(committee.goals or [])

    def validate(self, extra_validators=None):
        """The cadence needs a first meeting date and time once it is set."""
        ok = super().validate(extra_validators)
        if (self.frequency.data or self.cadence_rrule.data) and ok:
            for field in (self.first_meeting, self.start_time):
                if field.data is None:
                    field.errors = [*field.errors, "Needed for regular meetings."]
                    ok = False
        return ok

    def values(self) -> dict:
        """The committee fields these answers set."""
        rrule = self.cadence_rrule.data or None
        if not rrule and self.frequency.data:
            rrule = build_rrule(CadenceChoice(self.frequency.data, self.weekday.data or "MO",
                                              self.week_of_month.data))
        dtstart = (datetime.combine(self.first_meeting.data, self.start_time.data)
                   if rrule and self.first_meeting.data and self.start_time.data else None)
        return {
            "name": self.name.data, "kind": self.kind.data,
            "end_date": self.end_date.data if self.kind.data == "time_limited" else None,
            "funding_source": self.funding_source.data or None,
            "purpose": self.purpose.data or "",
            "goals": [line.strip() for line in (self.goals.data or "").splitlines()
                      if line.strip()],
            "timezone": self.timezone.data, "cadence_rrule": rrule, "cadence_dtstart": dtstart,
            "duration_minutes": self.duration_minutes.data,
            "stall_after_days": self.stall_after_days.data,
        }


class StageForm(OnceForm):
    """Move the committee to a collaboration stage."""

    stage = SelectField("Stage", choices=list(STAGES.items()), validators=[DataRequired()])
    since = DateField("Since", validators=[DataRequired(message="Enter a date.")])
    note = TextAreaField("Why (optional)", validators=[Optional(), Length(max=LONG_TEXT)])


class MembershipForm(VersionedForm):
    """Who sits on the committee, in which role, for which agency, for how long."""

    person = SelectField("Person", coerce=int, validators=[DataRequired()])
    agency = SelectField("Agency represented", coerce=int, validators=[Optional()],
                         description="Leave as is to use the person's own agency.")
    role = SelectField("Role", choices=list(ROLES.items()), default="member",
                       validators=[DataRequired()])
    start = DateField("Start", validators=[DataRequired(message="Enter a date.")])
    end = DateField("End", validators=[Optional()],
                    description="Leave empty while the membership lasts.")
