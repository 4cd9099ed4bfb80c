"""The two forms of every CSV import: choose a file, then confirm its preview."""

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField

from govtrack.forms import Form


class UploadForm(Form):
    """A CSV file to preview; nothing is stored until its preview is confirmed."""

    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


class ConfirmForm(Form):
    """The previewed file's text, its digest and the plan's fingerprint, carried back.

    Sent as multipart/form-data: URL-encoding would triple the text's size
    past the form-field limit.
    """

    filename = HiddenField()
    encoding = HiddenField()
    text = HiddenField()
    digest = HiddenField()
    fingerprint = HiddenField()
