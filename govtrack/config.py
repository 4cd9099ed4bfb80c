"""Configuration classes; secrets and addresses come from the environment."""

import os


class Config:
    """Defaults for every environment; the environment overrides what matters."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    #: keys of the signing chain's HMAC, "id:hex,id:hex" (the last signs); kept out of the
    #: database; empty: instance/signing_chain_keys (see govtrack.mous.chain)
    SIGNING_CHAIN_KEYS = os.environ.get("SIGNING_CHAIN_KEYS", "")
    #: keys that encrypt TOTP secrets at rest, same format; empty: instance/totp_secret_keys
    TOTP_SECRET_KEYS = os.environ.get("TOTP_SECRET_KEYS", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = 8 * 3600  # a long meeting's worth of minute-taking
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024
    # Login throttling: failures counted in the database so every worker agrees.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20
    LOGIN_WINDOW_MINUTES = 15
    #: Argon2id cost; None keeps argon2-cffi's defaults (RFC 9106 low-memory profile)
    ARGON2_TIME_COST = None
    ARGON2_MEMORY_COST = None
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"
    MAIL_FROM = os.environ.get("MAIL_FROM", "govtrack@localhost")
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    #: how many reverse proxies stand in front (their X-Forwarded-* are trusted);
    #: 0 when gunicorn faces the clients directly
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
