"""A PIN hash for the tests that count attempts (lockouts, windows, the clinic-wide limit).

:func:`decision.records.pin.hash_pin` at scrypt's least cost (N = 16 instead of 16,384),
checked by the same ``verify_pin``: there, the hash's cost is not what is tested, and
checking hundreds of PINs at the real cost was most of those tests' time (45 ms each).
The hashing itself is tested at the real cost (tests/test_records_pin.py).
"""

from __future__ import annotations

from decision.records.pin import hash_pin

QUICK_N = 16


def quick_hash(pin: str) -> str:
    return hash_pin(pin, n=QUICK_N)
