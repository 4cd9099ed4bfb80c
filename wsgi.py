"""Entry point for gunicorn and `flask --app wsgi`; nothing else runs at import."""

from govtrack import create_app

app = create_app()
