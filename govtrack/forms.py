"""The base form every feature's forms build on."""

import re

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, IntegerField, PasswordField, StringField
from wtforms.validators import NumberRange
from wtforms.widgets import Select, html_params

from govtrack.editing import AlreadyDone, DomainError, StaleEdit
from govtrack.extensions import db

#: C0 controls except tab, newline and carriage return, DEL, C1 controls, and the
#: U+FFFD that lone surrogates decode to. PostgreSQL refuses NUL and Word
#: documents refuse the rest, so they are stopped at the door.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def strip_text(value):
    """Trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value


class PlainSelect(Select):
    """wtforms' Select, faster for plain choices: a long list (everyone who may be a
    designee) or a short one repeated on a page (a status per action item).

    The same HTML as Select, but for choices given as a list of (value, label)
    pairs each option is written in one f-string, rather than through
    SelectChoice objects, html_params and Markup: a county's two thousand people
    took most of a meeting page's time. Any other choices are left to Select.
    """

    def __call__(self, field, **kwargs):
        choices = field.choices
        if self.multiple or not isinstance(choices, list) or not all(
                type(c) is tuple and len(c) == 2 and type(c[0]) in (int, str) for c in choices):
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        coerce, data = field.coerce, field.data
        html += [f'<option {"selected " if coerce(value) == data else ""}value="{escape(value)}">'
                 f'{escape(label or value)}</option>' for value, label in choices]
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 (each value and label escaped above)


class Form(FlaskForm):
    """CSRF-protected form that refuses characters no database or document keeps."""

    class Meta:
        """Trim every text field."""

        def bind_field(self, form, unbound_field, options):
            """Add the trimming filter to every field."""
            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField):
                filters = unbound_field.kwargs.get("filters", ())
                options = {**options, "filters": (*filters, strip_text)}
            return unbound_field.bind(form=form, **options)

    def validate(self, extra_validators=None):
        """Run the field validators, then refuse control characters."""
        ok = super().validate(extra_validators)
        for field in self:
            data = field.data
            values = data if isinstance(data, list) else [data]
            if any(isinstance(v, str) and CONTROL.search(v) for v in values):
                field.errors = [*field.errors, "Remove the control characters from this field."]
                ok = False
        return ok

    def add_domain_error(self, error: DomainError, default_field: str | None = None) -> None:
        """Show a refusal from a service next to the field it is about."""
        name = error.field or default_field
        field = self._fields.get(name) if name else None
        if field is None:
            self.form_errors.append(str(error))
        else:
            field.errors = [*field.errors, str(error)]


MISSING_VERSION = ("This form did not say which version of the record you opened, so it "
                   "cannot tell whether someone saved a newer one: open the page again.")


class VersionedForm(Form):
    """A form that edits a record and carries the version it was opened at."""

    version = HiddenField()
    #: True for forms that only ever edit a record (they are opened without a version
    #: kwarg, so object_data cannot tell); forms that also create leave it False
    version_required = False

    def validate(self, extra_validators=None):
        """Refuse an edit posted without the version it was opened at.

        The field's value would otherwise fall back to the record's current
        version, and the post would overwrite newer changes unchecked. A form
        that creates a record (opened with no version) has none to carry.
        """
        ok = super().validate(extra_validators)
        editing = self.version_required or self.version.object_data not in (None, "")
        if editing and (not self.version.raw_data or self.expected_version() is None):
            self.form_errors.append(MISSING_VERSION)
            ok = False
        return ok

    def expected_version(self) -> int | None:
        """The version the editor saw, or None if the field was not sent."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class BoundedIntegerField(IntegerField):
    """An IntegerField that refuses numbers too long to compare.

    WTForms' NumberRange calls math.isnan(), which overflows on a 400-digit
    integer: such input must be a field error, not a 500.
    """

    def process_formdata(self, valuelist):
        """Refuse more than 12 digits before converting."""
        if valuelist and len(valuelist[0].strip().lstrip("+-")) > 12:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


def bounded_int(label, low, high, **kwargs):
    """An integer field with range limits, so huge numbers are refused, not stored."""
    validators = kwargs.pop("validators", [])
    return BoundedIntegerField(label, validators=[*validators, NumberRange(low, high)],
                               **kwargs)




STALE_MESSAGE = (
    "Someone else saved this record after you opened it. Your changes are still in the form; "
    "check the current version (open the page in a new tab) and save again to replace it.")


def _run(change, retry: bool):
    """Run change and commit; with retry, a unique-key clash is run again once.

    Two identical submissions at the same instant both pass the service's
    "already done?" check; the database's unique key stops the second, which
    then runs again, finds the first one's record and answers AlreadyDone.
    """
    try:
        result = change()
        if isinstance(result, AlreadyDone):
            db.session.rollback()
            return result
        db.session.commit()
        return result
    except IntegrityError:
        db.session.rollback()
        if not retry:
            raise
    result = change()
    if isinstance(result, AlreadyDone):
        db.session.rollback()
    else:
        db.session.commit()
    return result


def save(form: Form | None, change, record=None, done: str = "", retry: bool = False):
    """The one way a view commits: run a service call, commit, or roll back and explain.

    Returns the call's result (True if it returned None), or False if refused.
    A refusal (StaleEdit, DomainError) is explained on the form, or flashed
    when there is no form (a one-click button); done is flashed on success.
    After a stale refusal the form takes the record's current version, so
    saving again, having looked, is a deliberate overwrite. A repeated
    submission (the service returns AlreadyDone) changes nothing and says so;
    retry runs the change again after a unique-key clash with a parallel one.
    """
    from flask import flash

    try:
        result = _run(change, retry)
        if isinstance(result, AlreadyDone):
            flash(result.message, "info")
            return result
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        if form is None:
            flash(STALE_MESSAGE, "error")
            return False
        form.form_errors.append(STALE_MESSAGE)
        if record is not None and "version" in form:
            db.session.refresh(record)
            form.version.data = record.version
        return False
    except DomainError as exc:
        db.session.rollback()
        if form is None:
            flash(str(exc), "error")
        else:
            form.add_domain_error(exc)
        # A wrong password given to re-authenticate counts toward the lock even
        # though the act it was to confirm is rolled back.
        counted = getattr(exc, "counted", None)
        if counted is not None:
            db.session.add(counted)
            db.session.commit()
        return False
    if done:
        flash(done, "success")
    return True if result is None else result
