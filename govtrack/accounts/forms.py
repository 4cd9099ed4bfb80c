"""Forms for logging in and managing accounts."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from govtrack.forms import Form


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


class ChangePasswordForm(NewPasswordForm):
    """The current password, then a new one."""

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=1000)])


class AccountForm(NewPasswordForm):
    """An administrator gives a person an account."""

    person = SelectField("Person", coerce=int, validators=[DataRequired()])
    email = EmailField("E-mail address (login)", validators=[
        DataRequired(), Length(max=320),
        Email(message="Enter an e-mail address like name@agency.gov.",
              check_deliverability=False)])
    is_admin = BooleanField("Administrator")


class AccountStatusForm(Form):
    """Deactivate or reactivate an account, grant or withdraw administration."""

    active = BooleanField("Account active")
    is_admin = BooleanField("Administrator")
