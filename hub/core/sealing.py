"""Secrets kept at rest sealed: encrypted and authenticated with a key from SECRET_KEY.

Each use has its own key (HKDF-SHA256 with the use's salt and info → Fernet), so a value sealed
for one use cannot be opened as another. SECRET_KEY_FALLBACKS still open older seals after the
key is rotated; a value whose key is gone raises ``Broken``: its owner must give it again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class Broken(ValueError):
    """The sealed value cannot be opened: the server's secret key changed, or it was altered."""


def _fernet(salt: bytes, info: bytes) -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    keys = [
        HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(s.encode("utf-8"))
        for s in secrets
    ]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(key)) for key in keys])


def seal(text: str, *, salt: bytes, info: bytes) -> str:
    """Return the text sealed for this use, as ASCII for a database column."""
    return _fernet(salt, info).encrypt(text.encode("utf-8")).decode("ascii")


def unseal(sealed: str, *, salt: bytes, info: bytes) -> str:
    """Return the text of a value sealed for this use; raise Broken when it cannot be opened."""
    try:
        return _fernet(salt, info).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise Broken(str(exc)) from exc
