"""Forms for logging in and managing accounts."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from govtrack.forms import Form, OnceForm


class LoginForm(Form):
    """E-mail and password."""

    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1000)])


class NewPasswordForm(Form):
    """A new password, typed twice."""

    password = PasswordField("New password", validators=[
        DataRequired(), Length(max=1000)], description="At least 12 characters.")
    confirm = PasswordField("Repeat the new password", validators=[
        DataRequired(), EqualTo("password", message="The two passwords differ.")])


class ChangePasswordForm(OnceForm, NewPasswordForm):
    """The current password, then a new one; a double click changes it (and audits it) once."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1000)])


class ResetPasswordForm(OnceForm, NewPasswordForm):
    """An administrator resets a password, confirming with their own."""

    your_password = PasswordField("Your own password, to confirm it is you", validators=[
        DataRequired(message="Enter your own password to confirm it is you."),
        Length(max=1000)])


class AdminTotpRemoveForm(Form):
    """An administrator removes a person's two-step code, confirming with their password."""

    your_password = PasswordField("Your own password, to confirm it is you", validators=[
        DataRequired(message="Enter your own password to confirm it is you."),
        Length(max=1000)])


class AccountForm(OnceForm, NewPasswordForm):
    """An administrator gives a person an account."""

    person = SelectField("Person", coerce=int, validators=[DataRequired()])
    email = EmailField("E-mail address (login)", validators=[
        DataRequired(), Length(max=320),
        Email(message="Enter an e-mail address like name@agency.gov.",
              check_deliverability=False)])
    is_admin = BooleanField("Administrator")


class AccountStatusForm(OnceForm):
    """Deactivate or reactivate an account, grant or withdraw administration."""

    active = BooleanField("Account active")
    is_admin = BooleanField("Administrator")
    is_county_coordinator = BooleanField(
        "County coordinator", description="Sees every committee's health, read-only.")


#: what browsers and password managers need to offer a one-time code
ONE_TIME_CODE = {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}


def totp_code_field(label="Code from your authenticator app", **kwargs):
    """A 6-digit code field, typed or pasted from an authenticator app."""
    return StringField(label, render_kw=ONE_TIME_CODE, description=kwargs.pop(
        "description", "The 6 digits your app shows now."), **kwargs)


class TotpConfirmForm(Form):
    """The first code, proving the app holds the secret."""

    code = totp_code_field(validators=[DataRequired(
        message="Type the 6-digit code from your authenticator app."), Length(max=20)])


class TotpRemoveForm(Form):
    """The password and a current code, to remove the two-step code."""

    password = PasswordField("Your password", validators=[DataRequired(), Length(max=1000)])
    code = totp_code_field(validators=[DataRequired(
        message="Type the 6-digit code from your authenticator app."), Length(max=20)])


class SigningPolicyForm(OnceForm):
    """Site-wide rules for signing MOUs."""

    require_totp = BooleanField(
        "Require a TOTP code from everyone who signs MOUs",
        description="Signatories who have not set up a two-step sign-in code cannot sign "
                    "until they do.")
