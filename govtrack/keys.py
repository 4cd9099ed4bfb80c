"""Keys kept outside the database: configured as "id:hex,id:hex", else an instance file.

Used for the signing chain's HMAC (mous.chain) and for encrypting TOTP secrets
(accounts.totp). The last key of a list is the current one; the others stay to
read or verify what they protected, which is how a key is rotated.
"""

import os
import secrets
from pathlib import Path


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
            raise ValueError("Each key is an id and at least 32 bytes in hex.")
        keys.append((key_id.strip(), key))
    return keys


def load_keys(instance_path: str, configured: str, filename: str) -> list[tuple[str, bytes]]:
    """The configured keys, else those of the instance file (made with one key if absent)."""
    if configured:
        return parse_keys(configured)
    path = Path(instance_path) / filename
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it a moment ago
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(f"k1:{secrets.token_hex(32)}\n")
    return parse_keys(path.read_text())
