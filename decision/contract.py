"""The questionnaire contract, version 3 (docs/questionnaire.md), that outside tests rely on.

Content may reword anything and set any weight *within* the strengths below, but
these question ids, answer codes, scoring targets, topics, directions and section
kinds must stay exactly as they are. The checks in :mod:`decision.checks` hold the
content to this table.
"""

from __future__ import annotations

from typing import Literal

CONTRACT_VERSION = 3

YES_NO_NOT_SURE = ("yes", "no", "not_sure")

# The three options a patient reads about, and the four scoring targets: step 1 sets
# "needles" (either kind) against "no_needling"; step 2 sets "ims" against "acupuncture".
IMS = "ims"
ACUPUNCTURE = "acupuncture"
NO_NEEDLING = "no_needling"
NEEDLES = "needles"  # a target only: either kind of needling, against no needling (step 1)
OPTIONS = (IMS, ACUPUNCTURE, NO_NEEDLING)
NEEDLE_OPTIONS = (IMS, ACUPUNCTURE)
TARGETS = (IMS, ACUPUNCTURE, NO_NEEDLING, NEEDLES)
STEP1 = (NEEDLES, NO_NEEDLING)
STEP2 = (IMS, ACUPUNCTURE)

Strength = Literal["strong", "normal", "slight"]
STRENGTH_POINTS: dict[str, int] = {"strong": 3, "normal": 2, "slight": 1}

QUESTIONS: dict[str, tuple[str, ...]] = {
    # 1. Your problem
    "main_area": ("neck_shoulders", "upper_back", "low_back", "hip_leg", "arm_hand", "head_jaw", "many_places"),
    "problem_kind": ("tight_knot", "stiff_movement", "widespread_ache", "headaches", "not_sure"),
    "duration": ("under_6_weeks", "6_to_12_weeks", "over_3_months"),
    "stress_sleep": ("yes", "no"),
    # 2. Needles and comfort
    "wants_needles": ("yes", "not_sure", "no"),
    "needle_feelings": ("fine", "bit_nervous", "very_anxious", "panic_faint"),
    "strong_sensation": ("ok_if_helps", "rather_not", "no"),
    "soreness_after": ("no_problem", "manageable", "big_problem"),
    # 3. Time
    "visit_time": ("short", "normal", "flexible"),
    "lie_still": ("yes", "not_sure", "no"),
    # 4. What matters to you
    "goal": ("loosen_muscle", "ease_pain_relax", "both"),
    "past_ims": ("no", "helped", "did_not_help"),
    "past_acupuncture": ("no", "helped", "did_not_help"),
    # 5. Safety check
    "unwell_today": YES_NO_NOT_SURE,
    "blood_thinners": YES_NO_NOT_SURE,
    "pregnant": YES_NO_NOT_SURE,
    "implant_device": YES_NO_NOT_SURE,
    "implant_site": YES_NO_NOT_SURE,
    "lymph": YES_NO_NOT_SURE,
    "infection_risk": YES_NO_NOT_SURE,
    "diabetes_immunity": YES_NO_NOT_SURE,
    "lung_disease": YES_NO_NOT_SURE,
    "seizures": YES_NO_NOT_SURE,
    "metal_allergy": YES_NO_NOT_SURE,
    "fainted_before": YES_NO_NOT_SURE,
    "under_18": YES_NO_NOT_SURE,
    "cancer_site": YES_NO_NOT_SURE,
    "numb_area": YES_NO_NOT_SURE,
    # 6. SURE test
    "sure_certain": ("yes", "no"),
    "sure_informed": ("yes", "no"),
    "sure_values": ("yes", "no"),
    "sure_support": ("yes", "no"),
}

SAFETY_QUESTIONS = (
    "unwell_today",
    "blood_thinners",
    "pregnant",
    "implant_device",
    "implant_site",
    "lymph",
    "infection_risk",
    "diabetes_immunity",
    "lung_disease",
    "seizures",
    "metal_allergy",
    "fainted_before",
    "under_18",
    "cancer_site",
    "numb_area",
)
SURE_QUESTIONS = ("sure_certain", "sure_informed", "sure_values", "sure_support")
SURE_NEEDS = {
    "sure_certain": "certainty",
    "sure_informed": "information",
    "sure_values": "values",
    "sure_support": "support",
}

# The patient's own wish: with this answer step 1 leans to no_needling whatever else
# was answered (a value, not a safety stop: no flag, step 2 still shown).
NO_NEEDLES_WISH = ("wants_needles", "no")
# Very anxious about needles (version 3): step 1 leans at least slightly toward
# no_needling (this outweighs wants_needles = yes), step 2 never leans to IMS and
# leans to acupuncture at most slightly, so no lean toward a needle option (step 1
# "needles", step 2, final) is ever stronger than slight.
VERY_ANXIOUS = ("needle_feelings", "very_anxious")
VERY_ANXIOUS_STEP1_FLOOR = ("no_needling", "slight")
VERY_ANXIOUS_STEP2_CAPS: dict[str, str] = {"ims": "none", "acupuncture": "slight"}
VERY_ANXIOUS_MAX = "slight"  # the strongest lean toward needles or a needle option

# The topics a rule may name. One topic gives one target at most topic_cap points.
TOPICS = (
    "kind",
    "relaxing",
    "wish",
    "feelings",
    "sensation",
    "soreness",
    "time_in_room",
    "goal",
    "past",
)

Direction = tuple[str, tuple[tuple[str, str], ...]]  # (topic, ((target, strength), ...))

# Which target each answer moves, how strongly, and under which topic. Answers not
# listed are neutral: no rule may move the scores for them.
DIRECTIONS: dict[tuple[str, str], Direction] = {
    ("problem_kind", "tight_knot"): ("kind", (("ims", "strong"),)),
    ("problem_kind", "stiff_movement"): ("kind", (("ims", "slight"),)),
    # Version 3: exercise has the most research for pain in many places (NICE NG193).
    ("problem_kind", "widespread_ache"): ("kind", (("no_needling", "slight"),)),
    ("problem_kind", "headaches"): ("kind", (("acupuncture", "normal"),)),
    ("stress_sleep", "yes"): ("relaxing", (("acupuncture", "slight"),)),
    ("wants_needles", "yes"): ("wish", (("needles", "normal"),)),
    ("wants_needles", "no"): ("wish", (("no_needling", "strong"),)),
    ("needle_feelings", "fine"): ("feelings", (("ims", "slight"),)),
    ("needle_feelings", "bit_nervous"): ("feelings", (("acupuncture", "slight"),)),
    ("needle_feelings", "very_anxious"): ("feelings", (("no_needling", "normal"), ("acupuncture", "slight"))),
    ("strong_sensation", "ok_if_helps"): ("sensation", (("ims", "normal"),)),
    ("strong_sensation", "rather_not"): ("sensation", (("acupuncture", "normal"),)),
    ("strong_sensation", "no"): ("sensation", (("acupuncture", "strong"),)),
    ("soreness_after", "no_problem"): ("soreness", (("ims", "slight"),)),
    ("soreness_after", "big_problem"): ("soreness", (("acupuncture", "strong"),)),
    ("visit_time", "short"): ("time_in_room", (("ims", "slight"),)),
    ("visit_time", "flexible"): ("time_in_room", (("acupuncture", "slight"),)),
    ("lie_still", "yes"): ("time_in_room", (("acupuncture", "slight"),)),
    ("lie_still", "no"): ("time_in_room", (("ims", "normal"),)),
    ("goal", "loosen_muscle"): ("goal", (("ims", "normal"),)),
    ("goal", "ease_pain_relax"): ("relaxing", (("acupuncture", "slight"),)),
    ("past_ims", "helped"): ("past", (("ims", "normal"),)),
    ("past_ims", "did_not_help"): ("past", (("acupuncture", "normal"),)),
    ("past_acupuncture", "helped"): ("past", (("acupuncture", "normal"),)),
    ("past_acupuncture", "did_not_help"): ("past", (("ims", "normal"),)),
}

# Compound rules (an ``all:`` of exactly these answers) and what they may give.
COMPOUND_DIRECTIONS: dict[frozenset[tuple[str, str]], Direction] = {
    frozenset({("past_ims", "did_not_help"), ("past_acupuncture", "did_not_help")}): (
        "past",
        (("no_needling", "normal"),),
    ),
}

# The flag level each answer must raise (at least).
REQUIRED_FLAGS: dict[tuple[str, str], str] = {
    ("needle_feelings", "very_anxious"): "caution",
    ("needle_feelings", "panic_faint"): "stop",
    ("duration", "under_6_weeks"): "info",
    ("past_ims", "did_not_help"): "info",
    ("past_acupuncture", "did_not_help"): "info",
    ("unwell_today", "yes"): "stop",
    **{(q, "yes"): "caution" for q in SAFETY_QUESTIONS if q != "unwell_today"},
    **{(q, "not_sure"): "info" for q in SAFETY_QUESTIONS},
}

# Safety in context: flags whose condition joins answers (all: / in:). Each entry is
# the set of (question, codes) leaves the flag's condition must have, and its level.
REQUIRED_COMPOUND_FLAGS: dict[str, tuple[frozenset[tuple[str, frozenset[str]]], str]] = {
    "pregnant_low_back": (
        frozenset({("pregnant", frozenset({"yes"})), ("main_area", frozenset({"low_back"}))}),
        "caution",
    ),
    "lymph_limb": (
        frozenset({("lymph", frozenset({"yes"})), ("main_area", frozenset({"arm_hand", "hip_leg", "neck_shoulders"}))}),
        "caution",
    ),
    "lung_chest_area": (
        frozenset({("lung_disease", frozenset({"yes"})), ("main_area", frozenset({"neck_shoulders", "upper_back"}))}),
        "caution",
    ),
    "chest_wall_area": (frozenset({("main_area", frozenset({"neck_shoulders", "upper_back"}))}), "info"),
    "fainted_cannot_lie_still": (
        frozenset({("fainted_before", frozenset({"yes"})), ("lie_still", frozenset({"no"}))}),
        "info",
    ),
    "fine_but_fainted": (
        frozenset({("needle_feelings", frozenset({"fine"})), ("fainted_before", frozenset({"yes"}))}),
        "info",
    ),
    "both_past_did_not_help": (
        frozenset({("past_ims", frozenset({"did_not_help"})), ("past_acupuncture", frozenset({"did_not_help"}))}),
        "info",
    ),
}

# Notes the content must have, by id (version 3): raised by duration, by the area
# with a final needle lean, and by a likely osteoarthritis.
REQUIRED_NOTES: dict[str, str] = {
    "new_pain": "duration = under_6_weeks",
    "low_back_guidelines": "main_area = low_back, with a final lean toward a needle option",
    "osteoarthritis_guidelines": "duration = over_3_months with main_area = hip_leg or problem_kind = stiff_movement",
}

# Strength order, weakest first: a cap keeps the weaker of the lean and the cap.
STRENGTH_ORDER = ("none", "slight", "strong")

# Safety in context that reaches step 2 (version 3): a hazard that depends on the
# technique caps the step-2 lean toward the options named. Each entry is the set of
# (question, codes) leaves the cap's condition must have, and the loosest cap allowed
# per option ("none": step 2 never leans there). Content may be stricter, never looser.
REQUIRED_CONTEXT_CAPS: dict[str, tuple[frozenset[tuple[str, frozenset[str]]], dict[str, str]]] = {
    "pregnant_low_back": (
        frozenset({("pregnant", frozenset({"yes"})), ("main_area", frozenset({"low_back"}))}),
        {"ims": "none", "acupuncture": "slight"},
    ),
    "lung_chest_area": (
        frozenset({("lung_disease", frozenset({"yes"})), ("main_area", frozenset({"neck_shoulders", "upper_back"}))}),
        {"ims": "slight"},
    ),
    "blood_thinners": (frozenset({("blood_thinners", frozenset({"yes"}))}), {"ims": "slight", "acupuncture": "slight"}),
    "lymph_limb": (
        frozenset({("lymph", frozenset({"yes"})), ("main_area", frozenset({"arm_hand", "hip_leg", "neck_shoulders"}))}),
        {"ims": "slight", "acupuncture": "slight"},
    ),
}
