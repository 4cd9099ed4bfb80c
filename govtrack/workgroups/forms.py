"""Forms for workgroups, their updates, goals and milestones, and action updates."""

from wtforms import (
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from govtrack.actions.models import STATUSES
from govtrack.committees.models import THRESHOLDS
from govtrack.forms import OnceForm, PlainSelect, VersionedForm, bounded_int
from govtrack.workgroups.models import (
    CLOSE_REASONS,
    GOAL_STATUSES,
    MILESTONE_STATUSES,
    REPORT_BACK,
)

LONG_TEXT = 100_000


class WorkgroupForm(VersionedForm):
    """A workgroup's name, charge, lead, members and report-back schedule."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    charge = TextAreaField("Charge", validators=[Optional(), Length(max=LONG_TEXT)],
                           description="What the committee asked this workgroup to do.")
    lead = SelectField("Lead", coerce=int, validators=[Optional()])
    members = SelectMultipleField("Members", coerce=int, validators=[Optional()],
                                  description="Hold Ctrl (or Cmd) to choose several.")
    report_back = SelectField("Reports back", choices=list(REPORT_BACK.items()),
                              validators=[DataRequired()])


class UpdateForm(OnceForm):
    """A status update of a workgroup."""

    text = TextAreaField("Update", validators=[DataRequired(message="Write the update."),
                                               Length(max=LONG_TEXT)])


class GoalForm(OnceForm):
    """A goal."""

    title = StringField("Goal", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=LONG_TEXT)])
    end_date = DateField("Reach it by", validators=[Optional()])


class MilestoneForm(OnceForm):
    """A milestone of a goal."""

    title = StringField("Milestone", validators=[DataRequired(), Length(max=200)])
    due = DateField("Due", validators=[DataRequired(message="Enter a date, e.g. 2027-03-31.")])
    owner = SelectField("Owner", coerce=int, validators=[Optional()],
                        widget=PlainSelect())


class MilestoneStatusForm(VersionedForm):
    """Mark a milestone done, cancelled or open again."""

    version_required = True

    status = SelectField("Status", choices=list(MILESTONE_STATUSES.items()),
                         validators=[DataRequired()], widget=PlainSelect())


class ActionUpdateForm(VersionedForm):
    """Update an action item in one step: a status and a note."""

    version_required = True

    status = SelectField("Status", choices=list(STATUSES.items()), validators=[DataRequired()],
                         widget=PlainSelect())
    note = TextAreaField("Note", validators=[Optional(), Length(max=LONG_TEXT)])


class ActionForm(OnceForm):
    """A new action item of a workgroup."""

    title = StringField("Action", validators=[DataRequired(), Length(max=200)])
    owner = SelectField("Owner", coerce=int, validators=[DataRequired(
        message="Choose who owns it.")], widget=PlainSelect())
    due = DateField("Due", validators=[Optional()])


class GoalEditForm(VersionedForm):
    """A goal's words and the date by which it should be reached."""

    title = StringField("Goal", validators=[DataRequired(message="Name the goal."),
                                            Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=LONG_TEXT)])
    end_date = DateField("Reach it by", validators=[Optional()])


class GoalStatusForm(VersionedForm):
    """Mark a goal achieved or cancelled, or open again."""

    version_required = True

    status = SelectField("Status", choices=list(GOAL_STATUSES.items()),
                         validators=[DataRequired()])


class MilestoneEditForm(VersionedForm):
    """A milestone's title, owner and due date; a new date keeps the old one."""

    title = StringField("Milestone", validators=[DataRequired(message="Name the milestone."),
                                                 Length(max=200)])
    due = DateField("Due", validators=[DataRequired(message="Enter a date, e.g. 2027-03-31.")])
    owner = SelectField("Owner", coerce=int, validators=[Optional()],
                        widget=PlainSelect())
    reason = StringField("Why the date moved", validators=[Optional(), Length(max=500)],
                         description="Shown beside the earlier date, if you move it.")


class ActionEditForm(VersionedForm):
    """An action item's title, owner and due date, changed by the committee's editors."""

    version_required = True

    title = StringField("Action", validators=[DataRequired(message="Name the action."),
                                              Length(max=200)])
    owner = SelectField("Owner", coerce=int, validators=[DataRequired(
        message="Choose who owns it.")], widget=PlainSelect())
    due = DateField("Due", validators=[Optional()])


class CloseWorkgroupForm(VersionedForm):
    """Why a workgroup closes, and what to remember about it."""

    reason = SelectField("Why it closes", choices=[("", "Choose…"), *CLOSE_REASONS.items()],
                        validators=[DataRequired(message="Choose why it closes.")])
    note = TextAreaField("Closing note", validators=[Optional(), Length(max=LONG_TEXT)],
                         description="Where merged work went, why it stops, what was learned.")


class ThresholdsForm(VersionedForm):
    """The committee's health thresholds; an empty field keeps DESIGN.md's default."""


for _name, _t in THRESHOLDS.items():
    setattr(ThresholdsForm, _name, bounded_int(
        f"{_t.label} ({_t.unit})", _t.low, _t.high, validators=[Optional()],
        description=f"Default: {_t.default} {_t.unit}. Leave empty for the default."))
