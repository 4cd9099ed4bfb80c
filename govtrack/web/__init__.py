"""What every page shares: security headers, error pages, template helpers."""

from zoneinfo import ZoneInfo

from flask import Flask, g, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError

from govtrack.agencies.models import SECTORS, SIDES
from govtrack.committees.models import KINDS, ROLES, STAGES
from govtrack.extensions import db
from govtrack.submissions import new_token
from govtrack.web.urls import url_per_row

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


def security_headers(response):
    """Headers every response carries; HTML gets the Content-Security-Policy."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Cache-Control", "no-store")
    # Whatever a logged-in person receives (pages, Word files, CSV, calendars) is
    # private: no shared cache or browser disk keeps it. The user as the request
    # already loaded it, so static files cost no query.
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _error(template: str, status: int, **context):
    return render_template(f"errors/{template}.html", **context), status


def init_app(app: Flask) -> None:
    """Register the shared handlers and template helpers."""
    app.after_request(security_headers)
    app.session_interface = SessionInterface()

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error("400", 400, reason=error.description)

    @app.errorhandler(400)
    def bad_request(error):
        return _error("400", 400, reason=getattr(error, "description", ""))

    @app.errorhandler(403)
    def forbidden(error):
        return _error("403", 403)

    @app.errorhandler(404)
    def not_found(error):
        return _error("404", 404)

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _error("405", 405)

    @app.errorhandler(413)
    def too_large(error):
        return _error("400", 413, reason="What you sent is too large.")

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return _error("500", 500)

    # submission_token(): a fresh one-time token for a button form written by hand (one
    # per row, as a milestone's), so a double click is saved once (govtrack.forms.save)
    app.jinja_env.globals.update(
        SECTORS=SECTORS, SIDES=SIDES, STAGES=STAGES, ROLES=ROLES, KINDS=KINDS, tz=ZoneInfo,
        submission_token=new_token, url_per_row=url_per_row)
    app.jinja_env.filters["day"] = lambda d: d.strftime("%-d %B %Y") if d else ""
    app.jinja_env.filters["instant"] = (
        lambda t: t.strftime("%-d %B %Y, %H:%M UTC") if t else "")


class SessionInterface(SecureCookieSessionInterface):
    """Session cookies are Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        """Secure if configured, or if this request is HTTPS."""
        return super().get_cookie_secure(app) or (bool(request) and request.is_secure)
