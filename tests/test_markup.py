"""decision/markup.py: Markdown links and images, autolinks and raw HTML in patient text."""

from __future__ import annotations

import time

import pytest

from decision.markup import find_markup

FLAGGED = [
    ("![logo](https://example.org/a.png)", "a Markdown image"),
    ("See ![](x.png) here", "a Markdown image"),
    ("![a [nested] alt](x.png)", "a Markdown image"),
    ("Read [this page](https://example.org) first.", "a Markdown link"),
    ("[click](javascript:alert(1)", "a Markdown link"),
    ("[empty]()", "a Markdown link"),
    ("[a [nested] text](y)", "a Markdown link"),
    ("Text\n[ref]: https://example.org\n", "a Markdown link definition"),
    ("Go to <https://example.org/x?y=1>.", "a link in angle brackets"),
    ("<mailto:someone@example.org>", "a link in angle brackets"),
    ("<www.example.org>", "a link in angle brackets"),
    ("Write to <clinic@example.org>", "an e-mail link in angle brackets"),
    ("This is <b>bold</b>", "an HTML tag"),
    ("<B>shouting</B>", "an HTML tag"),
    ("before</em>after", "an HTML tag"),
    ("<img src=x onerror=alert(1)>", "an HTML tag"),
    ("<img src=\"x.png\" alt='a'/>", "an HTML tag"),
    ("<script>alert(1)</script>", "an HTML tag"),
    ("<br>", "an HTML tag"),
    ("line<br />break", "an HTML tag"),
    ('<a href="https://example.org">x</a>', "an HTML tag"),
    ("<div\nclass='x'>", "an HTML tag"),
    ("a<b and c>d", "an HTML tag"),  # CommonMark reads this as a tag <b> with attributes "and" and "c"
    ("hidden <!-- comment --> text", "an HTML comment"),
    ("<!-- never closed", "an HTML comment"),
    ("<!DOCTYPE html>", "HTML"),
    ("<![CDATA[x]]>", "HTML"),
    ("<?php echo 1 ?>", "HTML"),
]

PLAIN = [
    "Serious harm is rare: < 4 in 10,000 treatments.",
    "Fewer than 1 in 100 (<1%) feel faint.",
    "a<b, b>c",
    "x < y > z",
    "Pain <3 days",
    "<= 2 visits, or >= 3",
    "I <3 needles",
    "<-- this way",
    "A note [in brackets] (and one in parentheses).",
    "[1] and [2]",
    "Prices in $ [CAD]",
    "Use the link below: it is safe.",
    "https://example.org written out is not in angle brackets",
    "<1 in 100 >",
    "< b>",
    "Plain text with an ! and a [ and a ( and a <.",
    "",
]


@pytest.mark.parametrize(("text", "reason"), FLAGGED)
def test_markup_is_found_with_a_short_reason(text, reason):
    found = find_markup(text)
    assert found is not None, text
    assert found.startswith(reason), found
    assert len(found) < 80


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_is_not_markup(text):
    assert find_markup(text) is None


def test_the_reason_quotes_what_was_found_cut_short():
    assert find_markup("Read [this](https://example.org) now") == "a Markdown link: [this](https://example.org)"
    long = find_markup("<a href='" + "x" * 500 + "'>")
    assert long is not None and long.endswith("\u2026") and len(long) < 80


@pytest.mark.parametrize(
    "text",
    [
        "<a" + " b" * 20_000,
        "<a b='" * 5_000,
        "[" * 5_000 + "]",
        "![" + "\\]" * 10_000,
        "<" + "a" * 20_000,
        "<!--" + "-" * 20_000,
    ],
)
def test_long_hostile_text_is_quick(text):
    start = time.thread_time()  # this thread's CPU seconds: a busy machine does not move them
    find_markup(text)
    assert time.thread_time() - start < 2
