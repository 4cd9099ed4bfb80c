"""Forms for MOUs: the record and its text, status moves, signing and declining."""

from wtforms import (
    BooleanField,
    DateField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from govtrack.forms import Form, VersionedForm

LONG_TEXT = 100_000


class MouForm(VersionedForm):
    """An MOU's record and the text of its current version.

    The obligations, one field per party, are added by mou_form().
    """

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    committee = SelectField("Sponsoring committee", coerce=int, validators=[Optional()])
    parties = SelectMultipleField("Parties", coerce=int, validators=[Optional()],
                                  description="The agencies that sign. Hold Ctrl (or Cmd) "
                                              "to choose several.")
    purpose = TextAreaField("Purpose", validators=[Optional(), Length(max=LONG_TEXT)])
    background = TextAreaField("Background", validators=[Optional(), Length(max=LONG_TEXT)])
    text = TextAreaField("Text of the MOU", validators=[Optional(), Length(max=LONG_TEXT)])
    effective = DateField("Effective date", validators=[Optional()])
    expires = DateField("Expiry date", validators=[Optional()])
    review = DateField("Review date", validators=[Optional()])


def mou_form(agencies, /, **kwargs) -> MouForm:
    """A MouForm with an obligations field for each party (named obligation_<agency key>)."""

    class WithObligations(MouForm):
        pass

    for agency in agencies:
        setattr(WithObligations, f"obligation_{agency.id}", TextAreaField(
            f"Obligations of {agency.name}", validators=[Optional(), Length(max=LONG_TEXT)]))
    return WithObligations(**kwargs)


class StatusForm(Form):
    """Move the MOU along its lifecycle."""

    to = SelectField("Move to", validators=[DataRequired()], choices=[
        ("in_review", "In review"), ("out_for_signature", "Out for signature"),
        ("draft", "Draft"), ("expired", "Expired"), ("terminated", "Terminated")])


class SignForm(Form):
    """The signer's re-authentication, consent, typed name and title."""

    party = SelectField("Sign for", coerce=int, validators=[DataRequired()])
    password = PasswordField("Your password", validators=[DataRequired(
        message="Enter your password to confirm it is you.")])
    consent = BooleanField("I consent to sign electronically", validators=[DataRequired(
        message="Tick the box to consent to signing electronically.")])
    name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    title = StringField("Your title", validators=[DataRequired(), Length(max=200)])


class DeclineForm(Form):
    """A party's refusal to sign, with its reason."""

    party = SelectField("Decline for", coerce=int, validators=[DataRequired()])
    reason = TextAreaField("Why the agency declines", validators=[
        DataRequired(message="Say why the agency declines."), Length(max=LONG_TEXT)])


class TrackForm(Form):
    """An action item tracking a party's obligation."""

    title = StringField("Action", validators=[DataRequired(), Length(max=200)])
    owner = SelectField("Owner", coerce=int, validators=[DataRequired(
        message="Choose who owns it.")])
    due = DateField("Due", validators=[Optional()])


class VerifyForm(Form):
    """A document hash to check against the executed versions."""

    sha256 = StringField("SHA-256 of the document", validators=[DataRequired(),
                                                                Length(min=64, max=64)])
