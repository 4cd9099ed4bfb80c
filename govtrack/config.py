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
    #: outgoing mail for reminders; empty: each e-mail is written to instance/mail/*.eml
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"  # STARTTLS after connecting
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") == "1"  # TLS from the start (port 465)
    MAIL_FROM = os.environ.get("MAIL_FROM", "govtrack@localhost")
    MAIL_TIMEOUT_SECONDS = int(os.environ.get("MAIL_TIMEOUT_SECONDS", "30"))
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # Reminders: the scheduler sweeps every few minutes and sends the digest daily.
    REMINDER_SWEEP_MINUTES = int(os.environ.get("REMINDER_SWEEP_MINUTES", "5"))
    #: local time of the daily digest, HH:MM in DIGEST_TIMEZONE
    DIGEST_TIME = os.environ.get("DIGEST_TIME", "07:00")
    #: the county's time zone (the committees' default): the digest's clock and day
    DIGEST_TIMEZONE = os.environ.get("DIGEST_TIMEZONE", "America/New_York")
    #: how long a sweep's lease lasts: a scheduler that died is replaced after it
    REMINDER_LEASE_SECONDS = float(os.environ.get("REMINDER_LEASE_SECONDS", "600"))
    #: how long a sender's claim on an e-mail lasts: a crashed sender's e-mail is
    #: sent again (same Message-ID) after it
    REMINDER_CLAIM_SECONDS = float(os.environ.get("REMINDER_CLAIM_SECONDS", "600"))
    #: first retry delay after a failed delivery; doubles each attempt up to the maximum
    REMINDER_RETRY_SECONDS = float(os.environ.get("REMINDER_RETRY_SECONDS", "60"))
    REMINDER_RETRY_MAX_SECONDS = float(os.environ.get("REMINDER_RETRY_MAX_SECONDS", "21600"))
    #: how many reverse proxies stand in front (their X-Forwarded-* are trusted);
    #: 0 when gunicorn faces the clients directly
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
