"""Whole screens outside the patient flow: broken content, and unexpected errors."""

from __future__ import annotations

import html

import streamlit as st

from decision.errors import Problem
from ui import style

# Shown when content/ cannot be loaded, so these words cannot come from ui.yaml.
CONTENT_PROBLEM_TITLE = "Content needs fixing · Le contenu doit être corrigé"
CONTENT_PROBLEM_PATIENT = (
    "This tablet is not ready. Please tell the front desk. "
    "· Cette tablette n'est pas prête. Veuillez avertir l'accueil."
)
CONTENT_PROBLEM_STAFF = (
    "For staff: the decision aid's content has problems, so the questionnaire is switched off. "
    "Fix the files below, check with `python -m decision check`, then restart the app."
)
CONTENT_PROBLEM_STAFF_WHERE = (
    "Staff: open /clinician on this app for the details. "
    "· Personnel\u00a0: ouvrez /clinician dans cette application pour les détails."
)


def content_problems(problems: list[Problem] | None, detail: str = "", *, staff: bool = True) -> None:
    """The screen for invalid content: never a half-working questionnaire.

    Patients (``staff=False``) read one calm line; the files and lines go to the staff
    address (/clinician) only, never to the tablet's welcome screen.
    """
    st.title(CONTENT_PROBLEM_TITLE, anchor=False)
    st.html(f'<p class="lead"><strong>{html.escape(CONTENT_PROBLEM_PATIENT)}</strong></p>')
    if not staff:
        st.html(f'<p class="help">{html.escape(CONTENT_PROBLEM_STAFF_WHERE)}</p>')
        return
    st.markdown(CONTENT_PROBLEM_STAFF)
    lines = [str(p) for p in problems or []] or [detail]
    st.html('<ul class="staff-problems">' + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")


def settings_broken(title: str, text: str, *, staff_text: str | None = None) -> None:
    """The settings file does not parse: a calm screen, and for staff (/clinician) the file and line."""
    friendly_error(title, text)
    if staff_text is not None:
        st.error(staff_text)


def friendly_error(title: str, text: str) -> None:
    style.apply_more()  # the caution panel's rules
    st.html(
        f'<section class="flag flag-caution"><h2 class="flag-title">{html.escape(title)}</h2>'
        f"<p>{html.escape(text)}</p></section>"
    )
