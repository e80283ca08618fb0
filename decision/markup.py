"""Find Markdown links and images, autolinks and raw HTML in patient-facing text.

Patient text is shown through Markdown, so ``[x](y)`` becomes a link, ``![x](y)`` an
image fetched from anywhere, and ``<b>`` or ``<script>`` raw HTML. Content never
needs any of them. :func:`find_markup` says what it found, or ``None``.

The patterns follow CommonMark's definitions (open and closing tags, comments,
processing instructions, declarations, CDATA, autolinks), so a plain ``<`` in
"< 4 in 10,000" or "a<b" is not markup. No pattern has nested quantifiers that could backtrack
exponentially on long text.
"""

from __future__ import annotations

import re

_TAG_NAME = r"[A-Za-z][A-Za-z0-9-]*"
_ATTRIBUTE = r"""\s+[A-Za-z_:][A-Za-z0-9_.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?"""

# (reason, pattern), first match wins: an image before the link inside it, an autolink before a tag.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a Markdown image", re.compile(r"!\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\([^)]*\)", re.DOTALL)),
    ("a Markdown link", re.compile(r"\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\([^)]*\)", re.DOTALL)),
    ("a Markdown link definition", re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S", re.MULTILINE)),
    ("a link in angle brackets", re.compile(r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>|<www\.[^\s<>]*>", re.IGNORECASE)),
    (
        "an e-mail link in angle brackets",
        re.compile(
            r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*>"
        ),
    ),
    ("an HTML tag", re.compile(rf"<{_TAG_NAME}(?:{_ATTRIBUTE})*\s*/?>")),
    ("an HTML tag", re.compile(rf"</{_TAG_NAME}\s*>")),
    ("an HTML comment", re.compile(r"<!--")),
    ("HTML (<!...> or <?...?>)", re.compile(r"<![A-Za-z\[]|<\?")),
)
_SHOWN = 40


def find_markup(text: str) -> str | None:
    """A short reason if ``text`` holds a Markdown image or link, an autolink or raw HTML, else ``None``.

    The reason names what was found and quotes it (cut at 40 characters), e.g.
    ``"a Markdown link: [here](https://example.org)"``.
    """
    for reason, pattern in _PATTERNS:
        found = pattern.search(text)
        if found:
            shown = " ".join(found.group(0).split())
            if len(shown) > _SHOWN:
                shown = shown[: _SHOWN - 1] + "\u2026"
            return f"{reason}: {shown}"
    return None
