"""Forms for measures, data points, CSV import and PDSA cycles."""

from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from govtrack.forms import Form, OnceForm, VersionedForm, bounded_int
from govtrack.pdsa.models import DECISIONS, DIRECTIONS, FREQUENCIES, MEASURE_KINDS, PHASES
from govtrack.pdsa.runchart import RULE_SETS

LONG_TEXT = 100_000


class MeasureForm(VersionedForm):
    """A measure's definition and how its chart judges it."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    definition = TextAreaField("Definition", validators=[Optional(), Length(max=LONG_TEXT)],
                               description="What is counted, from which source, how.")
    unit = StringField("Unit", validators=[Optional(), Length(max=50)])
    kind = SelectField("Kind", choices=list(MEASURE_KINDS.items()))
    direction = SelectField("Direction of improvement", choices=list(DIRECTIONS.items()))
    frequency = SelectField("Frequency", choices=list(FREQUENCIES.items()))
    workgroup = SelectField("Workgroup", coerce=int, validators=[Optional()])
    source_agency = SelectField("Source agency", coerce=int, validators=[Optional()])
    rules = SelectField("Run-chart rules", choices=list(RULE_SETS.items()))
    baseline_points = bounded_int("Baseline points", 2, 100, validators=[Optional()],
                                  description="How many first points give the median; "
                                              "leave empty to use them all.")
    show_limits = SelectField("XmR limits", choices=[("no", "Hide"), ("yes", "Show")])
    target = StringField("Target", validators=[Optional(), Length(max=40)],
                         description="The value the committee aims for, drawn as a goal line; "
                                     "leave empty for none.")


class PointForm(OnceForm):
    """One data point."""

    day = DateField("Date", validators=[DataRequired(message="Enter a date, e.g. 2025-03-01.")])
    value = StringField("Value", validators=[DataRequired(message="Enter a number."),
                                             Length(max=40)])
    note = StringField("Note", validators=[Optional(), Length(max=500)])


class ImportForm(Form):
    """A CSV of data points: columns date, value and optionally note."""

    file = FileField("CSV file", description="Columns: date (YYYY-MM-DD), value, note "
                                             "(optional). Every row is checked first; "
                                             "nothing is imported if any row is wrong.")


class BaselineForm(Form):
    """Reset the baseline where a sustained shift began, or undo the reset."""

    reset_on = SelectField("New baseline from", validators=[Optional()])


def plan_fields(title_required: bool) -> tuple:
    """The Plan's fields (title to study_due), made afresh for each form that asks.

    A new cycle must have a title; the worksheet leaves it to the service. The
    fields are made where the form's class lists them, so they keep their place
    in its order (the error summary lists fields in that order).
    """
    return (
        StringField("Title", validators=[DataRequired() if title_required else Optional(),
                                         Length(max=200)]),
        TextAreaField("Objective", validators=[Optional(), Length(max=LONG_TEXT)]),
        TextAreaField("Questions", validators=[Optional(), Length(max=LONG_TEXT)]),
        TextAreaField("Predictions", validators=[Optional(), Length(max=LONG_TEXT)]),
        TextAreaField("Who, what, where, when", validators=[Optional(), Length(max=LONG_TEXT)]),
        StringField("Measures to collect", validators=[Optional(), Length(max=2000)],
                    description="Keys of the committee's measures, separated by spaces."),
        DateField("Study by", validators=[Optional()]),
    )


class CycleForm(OnceForm):
    """The Plan of a new cycle."""

    (title, objective, questions, predictions, who_what_where_when, measure_keys,
     study_due) = plan_fields(title_required=True)


class RecordForm(VersionedForm):
    """The current phase's fields: the Plan, or what Do, Study or Act found (others ignored)."""

    version_required = True

    phase = SelectField("Phase", choices=[(p, p) for p in ("plan", "do", "study", "act")])
    (title, objective, questions, predictions, who_what_where_when, measure_keys,
     study_due) = plan_fields(title_required=False)
    carried_out = TextAreaField("What was carried out",
                                validators=[Optional(), Length(max=LONG_TEXT)])
    observations = TextAreaField("Observations", validators=[Optional(), Length(max=LONG_TEXT)])
    problems = TextAreaField("Problems", validators=[Optional(), Length(max=LONG_TEXT)])
    results = TextAreaField("Results against the predictions",
                            validators=[Optional(), Length(max=LONG_TEXT)])
    lessons = TextAreaField("Lessons", validators=[Optional(), Length(max=LONG_TEXT)])
    decision = SelectField("Decision", choices=[("", "Not decided"), *DECISIONS.items()],
                           validators=[Optional()])
    reason = TextAreaField("Reason", validators=[Optional(), Length(max=LONG_TEXT)])


class PhaseForm(VersionedForm):
    """Move a cycle to its next phase on a date."""

    version_required = True

    phase = SelectField("Move to", choices=[(p, p) for p in PHASES[1:]])
    on = DateField("On", validators=[DataRequired(message="Enter a date, e.g. 2025-03-01.")])


class PointCorrectForm(PointForm):
    """A corrected data point and why it was wrong."""

    reason = StringField("Why it is corrected", validators=[
        DataRequired(message="Say why the point is corrected."), Length(max=500)])


class PointDeleteForm(OnceForm):
    """Why a data point is removed."""

    reason = StringField("Why it is deleted", validators=[
        DataRequired(message="Say why the point is deleted."), Length(max=500)])
