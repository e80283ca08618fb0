"""Placeholder so navigation works; replaced by the clinician view (handoff feature)."""

import streamlit as st

import ui
from ui import kiosk
from ui.words import Words

t = Words(ui.get_content(), st.session_state.get(kiosk.LANG, "en"))
st.title(t("clinician_placeholder"), anchor=False)
if st.button(t("to_patient_view"), key="to_patient_view"):
    st.switch_page("app_pages/patient.py")
