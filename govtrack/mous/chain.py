"""The key of the signing chain: an HMAC over every signing event, kept outside the database.

A SHA-256 chain proves an event was not changed by someone who cannot recompute
hashes; a database administrator can. So each event also carries an HMAC-SHA256
of its hash under a key the database never holds (SIGNING_CHAIN_KEYS in the
environment, else instance/signing_chain_keys), with the key's id. Rotation: a
new key is appended and signs from then on; older ones stay listed only to
verify the events they signed (`flask govtrack seal-chains --reseal` moves
every event onto the current key so an old one can be dropped).
"""

import hashlib
import hmac

from flask import current_app

from govtrack import keys as keyring
from govtrack.keys import parse_keys  # noqa: F401  (the format, documented here)

#: the file in the instance folder holding the keys when the environment gives none
KEYS_FILE = "signing_chain_keys"


class UnknownKey(LookupError):
    """An event names a key this server does not have."""


def load_keys(instance_path: str, configured: str) -> list[tuple[str, bytes]]:
    """The chain's keys: SIGNING_CHAIN_KEYS, else instance/signing_chain_keys."""
    return keyring.load_keys(instance_path, configured, KEYS_FILE)


def _keys() -> list[tuple[str, bytes]]:
    return current_app.config["SIGNING_CHAIN_KEYRING"]


def current_key_id() -> str:
    """The id of the key new events are sealed with."""
    return _keys()[-1][0]


def seal(key_id: str, event_sha256: str) -> str:
    """HMAC-SHA256, under key key_id, of an event's hash (which covers the event and the
    hash of the one before it, so a seal vouches for the chain up to its event)."""
    key = dict(_keys()).get(key_id)
    if key is None:
        raise UnknownKey(key_id)
    return hmac.new(key, f"govtrack-signing-event:{key_id}:{event_sha256}".encode(),
                    hashlib.sha256).hexdigest()


def sealed_correctly(key_id: str, event_sha256: str, mac: str) -> bool:
    """Whether mac is the seal of event_sha256 under key_id (False for an unknown key)."""
    try:
        return hmac.compare_digest(seal(key_id, event_sha256), mac or "")
    except UnknownKey:
        return False
