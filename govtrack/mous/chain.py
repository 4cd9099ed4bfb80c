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
import os
import secrets
from pathlib import Path

from flask import current_app

#: the file in the instance folder holding the keys when the environment gives none
KEYS_FILE = "signing_chain_keys"


class UnknownKey(LookupError):
    """An event names a key this server does not have."""


def parse_keys(text: str) -> list[tuple[str, bytes]]:
    """Keys as configured: "id:hex" separated by commas or lines; the last one is current."""
    keys = []
    for entry in text.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, _, hex_key = entry.replace(" ", ":", 1).partition(":")
        key = bytes.fromhex(hex_key.strip())
        if not key_id or len(key) < 32:
            raise ValueError("Each signing chain key is an id and at least 32 bytes in hex.")
        keys.append((key_id.strip(), key))
    return keys


def load_keys(instance_path: str, configured: str) -> list[tuple[str, bytes]]:
    """The configured keys, else those of the instance file (made with one key if absent)."""
    if configured:
        return parse_keys(configured)
    path = Path(instance_path) / KEYS_FILE
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(f"k1:{secrets.token_hex(32)}\n")
    return parse_keys(path.read_text())


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
