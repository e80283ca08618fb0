"""The shipped content, read once per test process.

Nearly every test module needs the content of ``content/``; each used to read and
validate it itself at import (some 70 ms each, 19 times in every pytest worker). They
import :data:`CONTENT` from here instead. :class:`decision.content.Content` is frozen,
so one object can be shared. Reading the content is itself tested in test_content.py.
"""

from __future__ import annotations

from decision import load_content

CONTENT = load_content()
