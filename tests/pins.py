"""A PIN hash for the tests that count attempts (lockouts, windows, the clinic-wide limit).

It has :func:`decision.records.pin.hash_pin`'s format and is checked by the same
``verify_pin``, at scrypt's least cost (N = 16 instead of 16,384): there, the hash's
cost is not what is tested, and checking hundreds of PINs at the real cost was most of
those tests' time (45 ms each). The hashing itself is tested at the real cost
(tests/test_records_pin.py).
"""

from __future__ import annotations

import base64
import hashlib
import secrets

QUICK_N, QUICK_R, QUICK_P = 16, 8, 1


def quick_hash(pin: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.strip().encode("utf-8"), salt=salt, n=QUICK_N, r=QUICK_R, p=QUICK_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${QUICK_N}${QUICK_R}${QUICK_P}${b64(salt).decode()}${b64(digest).decode()}"
