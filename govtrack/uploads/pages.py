"""The steps an import page takes: read the upload into a preview, and re-plan on confirm.

planner(text, encoding, filename) -> Plan is the feature's planning function.
"""

from flask import flash, render_template

from govtrack.forms import save
from govtrack.uploads.csvfile import (
    ENCODINGS,
    MAX_BYTES,
    FileRefused,
    Plan,
    confirm,
    decode,
    digest,
    normalize,
)
from govtrack.uploads.forms import ConfirmForm, UploadForm

#: a file's name as messages show it, at most this long
NAME_LENGTH = 120


LOST = ("The preview's file did not come back intact (or the page was opened without "
        "it), so nothing was imported. Choose the file again.")


def summary(plan: Plan, one: str, many: str) -> str:
    """What an import stored, in a sentence: "3 people added, 1 changed."."""
    added, changed = len(plan.of("create")), len(plan.of("update"))
    return (f"{added} {one if added == 1 else many} added, {changed} changed, "
            f"{len(plan.of('unchanged'))} already as the file says.")


def _name(filename: str | None) -> str:
    name = (filename or "The file").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(c for c in name if c.isprintable())[:NAME_LENGTH] or "The file"


def preview(form: UploadForm, planner) -> tuple[Plan | None, ConfirmForm | None]:
    """Plan the uploaded file; a file refused as a whole is an error on the file field.

    Returns the plan (None if refused) and, if it may be imported, the form
    that confirms it.
    """
    upload = form.file.data
    filename = _name(getattr(upload, "filename", None))
    # The request is bounded (MAX_CONTENT_LENGTH): the whole file is read, then its size
    # judged, so a long file is refused by name, never cut short.
    raw = upload.read() if hasattr(upload, "read") else b""
    try:
        text, encoding = decode(raw, filename)
    except FileRefused as exc:
        form.file.errors = [*form.file.errors, str(exc)]
        return None, None
    return _planned(planner(text, encoding, filename), text, encoding, form)


def _planned(plan: Plan, text: str, encoding: str, form) -> tuple[Plan | None, ConfirmForm]:
    if plan.table is None:  # refused as a whole: a wrong header, say
        form.file.errors = [*form.file.errors, *(p.message for p in plan.problems)]
        return None, None
    if plan.problems:
        count = len(plan.problems)
        form.file.errors = [*form.file.errors, (
            f"{plan.filename} has {count} {'problem' if count == 1 else 'problems'}, listed "
            "above. Correct them in your spreadsheet and choose the file again.")]
    confirm_form = ConfirmForm(formdata=None, filename=plan.filename, encoding=encoding,
                               text=text, digest=digest(text), fingerprint=plan.fingerprint)
    return plan, confirm_form


def replan(form: ConfirmForm, planner) -> Plan | None:
    """The plan of the text a preview carried back, or None if it did not come back intact."""
    text = normalize(form.text.data or "")
    encoding = form.encoding.data if form.encoding.data in ENCODINGS else ""
    # The text is the decoded file: Windows-1252 grows at most threefold in UTF-8.
    if not form.validate_on_submit() or not text or not encoding \
            or len(text.encode("utf-8", "surrogatepass")) > 3 * MAX_BYTES \
            or digest(text) != form.digest.data:
        return None
    return planner(text, encoding, _name(form.filename.data))


def run_confirm(actor, planner, one: str, many: str) -> tuple[bool, dict]:
    """Confirm the previewed import posted: (True, {}) once stored or found already done,
    else (False, what the import page shows instead).

    planner must lock (see the features' plan functions), so that a second
    confirm at the same time waits for the first and finds nothing left to do.
    """
    form = ConfirmForm()
    plan = replan(form, planner)
    if plan is None:
        upload = UploadForm(formdata=None)
        upload.file.errors = [LOST]
        return False, {"form": upload, "status": 400}
    done = save(form, lambda: confirm(actor, plan, form.text.data, form.digest.data,
                                      form.fingerprint.data))
    if done:
        if done is plan:
            flash(summary(plan, one, many), "success")
        return True, {}
    return False, {"form": UploadForm(formdata=None), "plan": plan,
                   "confirm_form": _after_refusal(form, plan), "status": 409}


def _after_refusal(form: ConfirmForm, plan: Plan) -> ConfirmForm:
    """The confirm form for the new plan, carrying the refusal's message."""
    confirm_form = ConfirmForm(formdata=None, filename=plan.filename,
                               encoding=form.encoding.data, text=normalize(form.text.data),
                               digest=form.digest.data, fingerprint=plan.fingerprint)
    confirm_form.form_errors = list(form.form_errors)
    return confirm_form


def page(*, title: str, intro: str, columns, form: UploadForm, plan: Plan | None,
         confirm: ConfirmForm | None, upload_url: str, confirm_url: str, back_url: str,
         back_text: str, noun: str, status: int = 200):
    """The import page: what the file must hold, the preview, and the forms."""
    return render_template(
        "uploads/import.html", title=title, intro=intro, columns=columns, form=form,
        plan=plan, confirm=confirm, upload_url=upload_url, confirm_url=confirm_url,
        back_url=back_url, back_text=back_text, noun=noun,
        max_kb=MAX_BYTES // 1000), status
