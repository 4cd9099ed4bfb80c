"""Forms for the rotation policy, a hand-over and a chair who leaves mid-term."""

from wtforms import BooleanField, DateField, FieldList, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from govtrack.chairs.models import MODES
from govtrack.forms import Form, VersionedForm, bounded_int


class PolicyForm(VersionedForm):
    """How the chair rotates."""

    mode = SelectField("How the chair rotates", choices=list(MODES.items()),
                       validators=[DataRequired()])
    term_months = bounded_int("Term length in months", 1, 60, default=12)
    co_chair_other_side = BooleanField(
        "Name a co-chair from the other side (criminal justice or behavioural health)")
    agency_order = FieldList(SelectField("Agency", validators=[Optional()]), min_entries=6,
                             max_entries=6, label="Order of agencies (fixed order only)")

    def order(self) -> list[str]:
        """The agency keys chosen, in order, blanks skipped."""
        return [entry.data for entry in self.agency_order if entry.data]


class HandoverForm(Form):
    """Confirm who chairs next, from when."""

    person = SelectField("Next chair", coerce=int, validators=[DataRequired(
        message="Choose the next chair.")])
    start = DateField("Takes the chair on", validators=[DataRequired(message="Enter a date.")])
    co_chair = SelectField("Co-chair alongside (optional)", coerce=int, validators=[Optional()])


class LeaveForm(Form):
    """The chair leaves before the term ends: name an interim, hand over the work."""

    leaves_on = DateField("First day without the outgoing chair",
                          validators=[DataRequired(message="Enter a date.")])
    person = SelectField("Interim chair", coerce=int, validators=[DataRequired(
        message="Choose an interim chair.")], description="The co-chair, unless you choose "
        "someone else. The interim chair finishes the term.")
    note = TextAreaField("Note for the record (optional)",
                         validators=[Optional(), Length(max=10_000)])
