"""The questionnaire contract (spec/questionnaire.md) that outside tests rely on.

Content may reword anything and set any weight, but these question ids, answer
codes, option ids and section kinds must stay exactly as they are.
"""

from __future__ import annotations

YES_NO_NOT_SURE = ("yes", "no", "not_sure")

OPTIONS = ("ims", "acupuncture", "no_needling")
SCORED_OPTIONS = ("ims", "acupuncture")

QUESTIONS: dict[str, tuple[str, ...]] = {
    # 1. Your problem
    "main_area": ("neck_shoulders", "upper_back", "low_back", "hip_leg", "arm_hand", "head_jaw", "many_places"),
    "problem_kind": ("tight_knot", "stiff_movement", "widespread_ache", "headaches", "not_sure"),
    "duration": ("under_6_weeks", "6_to_12_weeks", "over_3_months"),
    "stress_sleep": ("yes", "no"),
    # 2. Needles and comfort
    "needle_feelings": ("fine", "bit_nervous", "very_anxious", "panic_faint"),
    "strong_sensation": ("ok_if_helps", "rather_not", "no"),
    "soreness_after": ("no_problem", "manageable", "big_problem"),
    # 3. Time
    "visit_time": ("short", "normal", "flexible"),
    "lie_still": ("yes", "not_sure", "no"),
    # 4. What matters to you
    "approach": ("western", "traditional", "either"),
    "goal": ("loosen_muscle", "ease_pain_relax", "both"),
    "insurance": ("yes", "no", "not_sure"),
    "past_ims": ("no", "helped", "did_not_help"),
    "past_acupuncture": ("no", "helped", "did_not_help"),
    # 5. Safety check
    "unwell_today": YES_NO_NOT_SURE,
    "blood_thinners": YES_NO_NOT_SURE,
    "pregnant": YES_NO_NOT_SURE,
    "implant_device": YES_NO_NOT_SURE,
    "lymph": YES_NO_NOT_SURE,
    "infection_risk": YES_NO_NOT_SURE,
    "seizures": YES_NO_NOT_SURE,
    "metal_allergy": YES_NO_NOT_SURE,
    "fainted_before": YES_NO_NOT_SURE,
    # 6. SURE test
    "sure_certain": ("yes", "no"),
    "sure_informed": ("yes", "no"),
    "sure_values": ("yes", "no"),
    "sure_support": ("yes", "no"),
}

SAFETY_QUESTIONS = (
    "unwell_today", "blood_thinners", "pregnant", "implant_device", "lymph",
    "infection_risk", "seizures", "metal_allergy", "fainted_before",
)
SURE_QUESTIONS = ("sure_certain", "sure_informed", "sure_values", "sure_support")
SURE_NEEDS = {
    "sure_certain": "certainty",
    "sure_informed": "information",
    "sure_values": "values",
    "sure_support": "support",
}

# The flag level each answer must raise (at least), from the spec.
REQUIRED_FLAGS: dict[tuple[str, str], str] = {
    ("needle_feelings", "very_anxious"): "caution",
    ("needle_feelings", "panic_faint"): "stop",
    ("insurance", "yes"): "info",
    ("insurance", "not_sure"): "info",
    ("unwell_today", "yes"): "stop",
    **{(q, "yes"): "caution" for q in SAFETY_QUESTIONS if q != "unwell_today"},
    **{(q, "not_sure"): "info" for q in SAFETY_QUESTIONS},
}

# Which option each answer favours, and how strongly (spec "direction").
# Answers not listed are neutral: no rule may move the scores for them.
DIRECTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("main_area", "head_jaw"): ("acupuncture", "normal"),
    ("main_area", "many_places"): ("acupuncture", "normal"),
    ("problem_kind", "tight_knot"): ("ims", "strong"),
    ("problem_kind", "stiff_movement"): ("ims", "normal"),
    ("problem_kind", "widespread_ache"): ("acupuncture", "normal"),
    ("problem_kind", "headaches"): ("acupuncture", "normal"),
    ("duration", "under_6_weeks"): ("ims", "slight"),
    ("duration", "over_3_months"): ("acupuncture", "slight"),
    ("stress_sleep", "yes"): ("acupuncture", "normal"),
    ("needle_feelings", "fine"): ("ims", "slight"),
    ("needle_feelings", "bit_nervous"): ("acupuncture", "normal"),
    ("needle_feelings", "very_anxious"): ("acupuncture", "strong"),
    ("strong_sensation", "ok_if_helps"): ("ims", "normal"),
    ("strong_sensation", "rather_not"): ("acupuncture", "normal"),
    ("strong_sensation", "no"): ("acupuncture", "strong"),
    ("soreness_after", "no_problem"): ("ims", "normal"),
    ("soreness_after", "big_problem"): ("acupuncture", "strong"),
    ("visit_time", "short"): ("ims", "normal"),
    ("visit_time", "flexible"): ("acupuncture", "slight"),
    ("lie_still", "yes"): ("acupuncture", "slight"),
    ("lie_still", "no"): ("ims", "strong"),
    ("approach", "western"): ("ims", "normal"),
    ("approach", "traditional"): ("acupuncture", "normal"),
    ("goal", "loosen_muscle"): ("ims", "normal"),
    ("goal", "ease_pain_relax"): ("acupuncture", "normal"),
    ("past_ims", "helped"): ("ims", "normal"),
    ("past_ims", "did_not_help"): ("acupuncture", "normal"),
    ("past_acupuncture", "helped"): ("acupuncture", "normal"),
    ("past_acupuncture", "did_not_help"): ("ims", "normal"),
}
