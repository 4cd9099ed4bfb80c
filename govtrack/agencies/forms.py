"""Forms for agencies and people."""

from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from govtrack.agencies.models import SECTORS
from govtrack.forms import OnceForm, VersionedForm


def sector_choices():
    """Sectors grouped by side, as the select shows them."""
    return [("", "Choose a sector")] + [(code, label) for code, (label, _) in SECTORS.items()]


class NewAgencyForm(OnceForm):
    """Name and sector of a new agency."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    sector = SelectField("Sector", choices=sector_choices(), validators=[DataRequired()])


class AgencyForm(VersionedForm, NewAgencyForm):
    """An agency's name, sector and head."""

    head = SelectField("Head of agency", coerce=int, validators=[Optional()],
                       description="The person who signs for the agency.")


class PersonForm(VersionedForm):
    """A person's details."""

    name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    title = StringField("Title", validators=[Optional(), Length(max=200)])
    email = EmailField("E-mail address", validators=[
        Optional(), Length(max=320), Email(message="Enter an e-mail address like name@agency.gov.",
                                           check_deliverability=False)])
    agency = SelectField("Agency", coerce=int, validators=[DataRequired()])
    active = BooleanField("Still works with the committees", default=True)
    #: asked only of an agency's head: who signs for the agency once they are gone
    head_now = SelectField("Who heads the agency now", validators=[Optional()],
                           description="Asked when the head leaves: they can no longer sign.")
