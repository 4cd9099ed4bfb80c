"""Forms: a person's reminder preferences, and the outbox's "retry now"."""

from wtforms import RadioField

from govtrack.forms import Form
from govtrack.reminders.models import DELIVERIES
from govtrack.reminders.services import allowed_deliveries


class RetryForm(Form):
    """Retry one e-mail now (the CSRF token is all it carries)."""


def preferences_form(kinds, current: dict[str, str], formdata=None) -> Form:
    """One choice per kind of reminder; a mandatory kind offers no "not at all"."""

    class PreferencesForm(Form):
        """How I get each kind of reminder by e-mail."""

    for kind in kinds:
        description = ("Required: it cannot be switched off." if kind.mandatory else "")
        setattr(PreferencesForm, kind.code, RadioField(
            kind.words, choices=[(d, DELIVERIES[d]) for d in allowed_deliveries(kind)],
            default=current.get(kind.code), description=description))
    return PreferencesForm(formdata=formdata)


def choices_of(form: Form, kinds) -> dict[str, str]:
    """The submitted choice of each kind, by code."""
    return {kind.code: form[kind.code].data for kind in kinds}
