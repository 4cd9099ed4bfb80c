"""Secret tokens in URLs and cookies: only their SHA-256 is stored."""

import hashlib
import secrets


def new_token() -> str:
    """A fresh, unguessable token."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored of a token, so a leaked table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()
