"""Forms for MOUs: the record and its text, status moves, signing and declining."""

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from govtrack.accounts.forms import totp_code_field
from govtrack.forms import Form, OnceForm, PlainSelect, VersionedForm, bounded_int

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


def mou_form(agencies, /, *, signing_order: bool = False, **kwargs) -> MouForm:
    """A MouForm with an obligations field for each party (named obligation_<agency id>).

    signing_order adds the optional signing order: a checkbox, and a place
    (1 signs first) per party, named position_<agency id>. Plain numbered
    fields rather than drag and drop: they work with a keyboard, a screen
    reader and no JavaScript.
    """

    class WithObligations(MouForm):
        pass

    for agency in agencies:
        setattr(WithObligations, f"obligation_{agency.id}", TextAreaField(
            f"Obligations of {agency.name}", validators=[Optional(), Length(max=LONG_TEXT)]))
    if signing_order:
        WithObligations.signing_in_order = BooleanField(
            "The parties sign one after another",
            description="Only the first party in this order that has not signed may sign; "
                        "the next party is told when it is their turn.")
        for agency in agencies:
            setattr(WithObligations, f"position_{agency.id}", bounded_int(
                f"Place of {agency.name} in the signing order", 1, 99,
                validators=[Optional()]))
    return WithObligations(**kwargs)


class StatusForm(Form):
    """Move the MOU along its lifecycle."""

    to = SelectField("Move to", validators=[DataRequired()], choices=[
        ("in_review", "In review"), ("out_for_signature", "Out for signature"),
        ("draft", "Draft"), ("expired", "Expired"), ("terminated", "Terminated")])


VERSION_SHOWN_MISSING = "The form did not say which version you read: open the MOU again."


class SignForm(Form):
    """The signer's re-authentication, consent, typed name and title."""

    party = SelectField("Sign for", coerce=int, validators=[DataRequired()])
    password = PasswordField("Your password", validators=[DataRequired(
        message="Enter your password to confirm it is you.")])
    consent = BooleanField("I consent to sign electronically", validators=[DataRequired(
        message="Tick the box to consent to signing electronically.")])
    name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    title = StringField("Your title", validators=[DataRequired(), Length(max=200)])
    #: checked by the service (needed only when enrolled), so optional here
    totp_code = totp_code_field(validators=[Optional(), Length(max=20)])
    #: SHA-256 of the version the page showed: the signature binds to what was read
    document_sha256 = HiddenField(validators=[DataRequired(message=VERSION_SHOWN_MISSING)])


class DeclineForm(Form):
    """A party's refusal to sign, with its reason."""

    party = SelectField("Decline for", coerce=int, validators=[DataRequired()])
    reason = TextAreaField("Why the agency declines", validators=[
        DataRequired(message="Say why the agency declines."), Length(max=LONG_TEXT)])
    #: declining is a signing act: the same re-authentication, about the version shown
    password = PasswordField("Your password", validators=[DataRequired(
        message="Enter your password to confirm it is you.")])
    totp_code = totp_code_field(validators=[Optional(), Length(max=20)])
    document_sha256 = HiddenField(validators=[DataRequired(message=VERSION_SHOWN_MISSING)])


class TrackForm(OnceForm):
    """An action item tracking a party's obligation."""

    title = StringField("Action", validators=[DataRequired(), Length(max=200)])
    owner = SelectField("Owner", coerce=int, validators=[DataRequired(
        message="Choose who owns it.")], widget=PlainSelect())
    due = DateField("Due", validators=[Optional()])


class VerifyForm(Form):
    """A document hash to check against the executed versions."""

    sha256 = StringField("SHA-256 of the document", validators=[DataRequired(),
                                                                Length(min=64, max=64)])


class AuthorisationForm(OnceForm):
    """The head authorises a person of the agency to sign MOUs for it."""

    person = SelectField("Person", coerce=int, validators=[DataRequired(
        message="Choose who may sign.")])
    mou = SelectField("For", coerce=int, validators=[Optional()],
                      description="Every MOU of the agency, or only one.")
    starts_on = DateField("From", validators=[DataRequired(
        message="Give the first day, as a date.")])
    ends_on = DateField("Until (last day)", validators=[Optional()],
                        description="Leave empty until further notice.")
