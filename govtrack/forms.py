"""The base form every feature's forms build on."""

import logging
import re

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField, IntegerField, PasswordField, StringField, widgets
from wtforms.fields.choices import SelectFieldBase
from wtforms.validators import NumberRange
from wtforms.widgets import Select, core

from govtrack.db_types import database_integer
from govtrack.editing import AlreadyDone, DomainError, StaleEdit
from govtrack.extensions import db
from govtrack.submissions import (
    REPEATED,
    first_submission,
    is_token,
    new_token,
    record_submission,
)

#: C0 controls except tab, newline and carriage return, DEL, C1 controls, and the
#: U+FFFD that lone surrogates decode to. PostgreSQL refuses NUL and Word
#: documents refuse the rest, so they are stopped at the door.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def html_params(**kwargs) -> Markup:
    """wtforms' html_params, the same Markup, without a Markup.format per attribute.

    wtforms writes every attribute of every input through Markup.format (a
    string.Formatter run in Python): on My work, with a form per action item,
    that was a fifth of the page's time. Installed as wtforms' own below, so
    every widget writes its attributes this way.
    """
    params = []
    for key, value in sorted(kwargs.items()):
        name = str(escape(core.clean_key(key)))
        if value is True:
            params.append(name)
        elif value is not False:
            params.append(f'{name}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))  # noqa: S704 (each name and value escaped above)


#: wtforms' original, kept for the test that the two agree
wtforms_html_params = core.html_params
# wtforms reaches it as a module global (Select, TextArea), a class attribute
# (Input and its kinds, Button) and through the package (Label)
core.html_params = widgets.html_params = html_params
for _widget in vars(core).values():
    if isinstance(_widget, type) and vars(_widget).get("html_params") is not None:
        _widget.html_params = staticmethod(html_params)


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
        """Trim every text field; keep every integer choice within what a column holds."""

        def bind_field(self, form, unbound_field, options):
            """Add the trimming filter to every text field, the bounded int to every choice.

            A select's value is an id a view looks up: one past the database's
            integer is "not a valid choice" here, whatever a view does with it,
            never a database error (SQLite refuses past 64 bits; issue 16).
            """
            cls = unbound_field.field_class
            if issubclass(cls, StringField) and not issubclass(cls, PasswordField):
                filters = unbound_field.kwargs.get("filters", ())
                options = {**options, "filters": (*filters, strip_text)}
            if issubclass(cls, SelectFieldBase) and unbound_field.kwargs.get("coerce") is int:
                options = {**options, "coerce": database_integer}
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


DAMAGED_FORM = ("This form was damaged on its way (it carries a submission mark govtrack "
                "did not make): open the page again.")


class OnceForm(Form):
    """A form that creates records: it carries a one-time token, so a repeat is saved once.

    The token comes from the page that showed the form; save() records it with
    the change. A form posted without one (a script, an old page) is saved as
    before, with no protection against its own repeats.
    """

    submission = HiddenField(default=new_token)

    def validate(self, extra_validators=None):
        """Refuse a token we cannot have made."""
        ok = super().validate(extra_validators)
        raw = self.submission.raw_data
        if raw and raw[0] and not is_token(raw[0]):
            self.form_errors.append(DAMAGED_FORM)
            ok = False
        return ok

    def submitted_token(self) -> str | None:
        """The token this submission carried, or None if it carried none."""
        raw = self.submission.raw_data
        return raw[0] if raw and is_token(raw[0]) else None


MISSING_VERSION = ("This form did not say which version of the record you opened, so it "
                   "cannot tell whether someone saved a newer one: open the page again.")


class VersionedForm(OnceForm):
    """A form that edits a record and carries the version it was opened at.

    It is a OnceForm too: a repeat of the same edit, whose version check an
    unchanged record would pass, is saved once (and audited once).
    """

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


CLASH_MESSAGE = (
    "Someone saved the same thing at the same moment, so this was not saved: open the page "
    "again to see what is there now.")


class _Repeated(Exception):
    """The submission's token was saved by a parallel submission: this one is a repeat."""

    def __init__(self, first):
        super().__init__()
        self.first = first


def _repeat_of(token: str | None):
    """What the first submission with token made, or None; call after a rollback."""
    return first_submission(token) if token is not None else None


def _commit(result, token: str | None):
    """Commit result's change, recording the submission's token with it."""
    if isinstance(result, AlreadyDone):
        db.session.rollback()
        return result
    if token is not None:
        record_submission(token, result)
    db.session.commit()
    return result


def _run(change, retry: bool, token: str | None = None):
    """Run change and commit; with retry, a unique-key clash is run again once.

    Two identical submissions at the same instant both pass the service's
    "already done?" check; the database's unique key stops the second, which
    then runs again, finds the first one's record and answers AlreadyDone. A
    submission whose token a parallel one saved meanwhile is a repeat.
    """
    try:
        return _commit(change(), token)
    except IntegrityError:
        db.session.rollback()
        if (first := _repeat_of(token)) is not None:
            raise _Repeated(first) from None
        if not retry:
            raise
    return _commit(change(), token)


def save(form: Form | None, change, record=None, done: str = "", retry: bool = False,
         once: OnceForm | None = None):
    """The one way a view commits: run a service call, commit, or roll back and explain.

    Returns the call's result (True if it returned None), or False if refused.
    A refusal (StaleEdit, DomainError) is explained on the form, or flashed
    when there is no form (a one-click button); done is flashed on success.
    After a stale refusal the form takes the record's current version, so
    saving again, having looked, is a deliberate overwrite. A repeated
    submission (the service returns AlreadyDone) changes nothing and says so;
    retry runs the change again after a unique-key clash with a parallel one.
    A OnceForm's token is recorded with the change: a submission whose token
    was already saved, before or in parallel, changes nothing, says so and
    returns what the first one made (its record, or True). once names the
    OnceForm of a submission whose refusals are flashed (form None). Any other
    unique-key clash with a parallel submission is refused with a message.
    """
    from flask import flash

    once = once or form
    token = once.submitted_token() if isinstance(once, OnceForm) else None
    try:
        if (first := _repeat_of(token)) is not None:
            raise _Repeated(first)
        result = _run(change, retry, token)
        if isinstance(result, AlreadyDone):
            flash(result.message, "info")
            return result
    except _Repeated as repeat:  # nothing of this submission was written
        return _answer_repeat(once, repeat.first)
    except IntegrityError:
        # A unique key met a parallel submission that carried no token (a script, an
        # old page): refused with a message, never a 500.
        db.session.rollback()
        logging.getLogger(__name__).warning("unique-key clash refused", exc_info=True)
        if form is None:
            flash(CLASH_MESSAGE, "error")
        else:
            form.form_errors.append(CLASH_MESSAGE)
        return False
    except (StaleEdit, StaleDataError):
        db.session.rollback()
        if (first := _repeat_of(token)) is not None:
            return _answer_repeat(once, first)
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
        if (first := _repeat_of(token)) is not None:
            return _answer_repeat(once, first)
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
    if token is not None:
        once.submission.data = new_token()  # a form shown again is a new submission
    if done:
        flash(done, "success")
    return True if result is None else result


def _answer_repeat(form: OnceForm, first):
    """Say a repeated submission changed nothing; answer with what the first one made."""
    from flask import flash

    flash(REPEATED, "info")
    form.submission.data = new_token()
    return first
