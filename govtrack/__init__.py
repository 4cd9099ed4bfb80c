"""govtrack: keeps interagency committees working."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from govtrack.config import Config
from govtrack.db_types import MAX_ID, render_item

ROOT = Path(__file__).resolve().parent.parent


def _secret_key(app: Flask) -> str:
    """SECRET_KEY from the environment, else one kept in the instance folder.

    A key kept in a file is shared by every worker and survives restarts, so
    `make run` needs no configuration and sessions are not lost.
    """
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class DatabaseId(IntegerConverter):
    """<int:...> in every URL: only numbers an id column can hold.

    A 20-digit id used to reach the database, which refused it with a 500;
    now the URL simply matches no route: a 404.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        """The integer converter, bounded by MAX_ID unless a rule says otherwise."""
        super().__init__(map, fixed_digits, min, max, signed)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.url_map.converters["int"] = DatabaseId  # before any route is added
    app.config.from_object(Config)
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'govtrack.sqlite'}")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver; plain URLs from the environment name it implicitly.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(app)
    from govtrack.keys import load_keys

    # Keys the database never holds: the signing chain's seal, the TOTP secrets' cipher.
    app.config["SIGNING_CHAIN_KEYRING"] = load_keys(
        app.instance_path, app.config["SIGNING_CHAIN_KEYS"], "signing_chain_keys")
    app.config["TOTP_SECRET_KEYRING"] = load_keys(
        app.instance_path, app.config["TOTP_SECRET_KEYS"], "totp_secret_keys")
    if app.config["TRUSTED_PROXIES"]:
        # Behind nginx the client's address comes from X-Forwarded-For; without
        # this the login throttle would count every user at the proxy's address.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from govtrack import extensions, models  # noqa: F401  (models registers every table)

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"),
                                render_as_batch=True, compare_type=True,
                                render_item=render_item)
    extensions.csrf.init_app(app)
    _init_login(app)

    from govtrack.accounts.views import bp as accounts_bp
    from govtrack.agencies.views import bp as agencies_bp
    from govtrack.audit.views import bp as audit_bp
    from govtrack.chairs.views import bp as chairs_bp
    from govtrack.committees.views import bp as committees_bp
    from govtrack.meetings.feeds import bp as feeds_bp
    from govtrack.meetings.views import bp as meetings_bp
    from govtrack.mous.views import bp as mous_bp
    from govtrack.notifications.views import bp as notifications_bp
    from govtrack.notifications.views import init_app as init_notifications
    from govtrack.pdsa.views import bp as pdsa_bp
    from govtrack.reminders.views import bp as reminders_bp
    from govtrack.web import init_app as init_web
    from govtrack.web.views import bp as web_bp
    from govtrack.workgroups.views import bp as workgroups_bp

    for blueprint in (web_bp, accounts_bp, agencies_bp, committees_bp, chairs_bp, meetings_bp,
                      feeds_bp, workgroups_bp, mous_bp, pdsa_bp, notifications_bp,
                      reminders_bp, audit_bp):
        app.register_blueprint(blueprint)
    init_web(app)
    init_notifications(app)

    from govtrack.cli import govtrack_cli

    app.cli.add_command(govtrack_cli)
    return app


def _init_login(app: Flask) -> None:
    """Flask-Login looks sessions up in the database, so they can be ended."""
    from govtrack.accounts.services import configure_hasher, load_session
    from govtrack.extensions import login_manager

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the server-side session does the job
    login_manager.user_loader(load_session)
    if app.config["ARGON2_TIME_COST"] or app.config["ARGON2_MEMORY_COST"]:
        configure_hasher(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"])

