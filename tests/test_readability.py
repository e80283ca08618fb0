"""decision/readability.py: grade-level and French typography warnings for patient text."""

from decision import readability


def test_plain_text_passes_and_dense_text_is_flagged():
    plain_en = "The needle goes in and out fast. You may feel a short cramp. It can be sore for a day or two."
    plain_fr = "L'aiguille entre et sort vite. Vous pouvez sentir une crampe. Ce peut être sensible un jour ou deux."
    assert readability.assess(plain_en, plain_fr) == []
    dense_en = (
        "Intramuscular stimulation necessitates the instrumentation of myofascial trigger points, "
        "consequently eliciting involuntary contractile responses accompanied by considerable postprocedural discomfort."
    )
    dense_fr = (
        "La stimulation intramusculaire nécessite l'instrumentation des points gâchettes myofasciaux, "
        "provoquant conséquemment des réponses contractiles involontaires accompagnées d'un inconfort postprocédural considérable."
    )
    langs = [lang for lang, _ in readability.assess(dense_en, dense_fr)]
    assert langs == ["en", "fr"]


def test_short_labels_are_not_judged():
    assert readability.assess("Intramuscular stimulation", "Stimulation intramusculaire") == []


def test_smog_flags_long_words_that_flesch_kincaid_lets_through():
    # Short sentences keep Flesch-Kincaid low; many long words push SMOG up.
    text = (
        "We went to the big park by the lake with the dog and the kids, and it was a wonderful, memorable day. "
        "The food at the party was delicious and the music was fantastic. "
        "All of us had an incredible, unforgettable time there."
    )
    assert readability.english_grade(text) <= readability.MAX_EN_GRADE
    assert readability.smog_grade(text) > readability.MAX_EN_GRADE
    [(lang, message)] = readability.assess(text, "Ça va.")
    assert lang == "en" and "SMOG" in message


def test_smog_is_not_applied_to_one_or_two_sentences():
    # One long word in a single sentence would give SMOG 8.8 on its own.
    one = "Are you clear about which benefits and risks matter most to you today and why?"
    assert readability.smog_grade(one) > readability.MAX_EN_GRADE
    assert readability.assess(one, "Oui.") == []


def test_smog_value_matches_the_formula():
    # 3 sentences, 3 words of 3+ syllables: 1.043 * sqrt(3 * 30 / 3) + 3.1291
    text = "It is a banana. We ate it today. They are wonderful and relaxing."
    assert abs(readability.smog_grade(text) - (1.0430 * 30**0.5 + 3.1291)) < 0.01


def test_colons_and_semicolons_do_not_end_sentences():
    assert readability._sentences("Tell your physiotherapist: bring your list; ask questions.") == 1
    assert readability._sentences("One. Two! Three? Four") == 4
    joined = "Risks: bruising, bleeding and soreness; rare ones: fainting and a collapsed lung."
    split = "Risks. Bruising, bleeding and soreness. Rare ones. Fainting and a collapsed lung."
    assert readability.english_grade(joined) > readability.english_grade(split)


def test_every_word_counts_its_real_syllables_even_the_profession():
    # No discount for familiar words: "physiotherapist" weighs what it weighs.
    assert readability._en_syllables("physiotherapist") >= 5
    assert readability._en_syllables("acupuncture") >= 3
    assert readability._en_syllables("medication") >= 3
    with_profession = "Ask your physiotherapist about acupuncture."
    plain = "Ask your nurse about the pins."
    assert readability.english_grade(with_profession) > readability.english_grade(plain) + 5


def test_french_below_kandel_moles_60_is_a_warning_even_above_50():
    fr = "Nous posons ces questions pour que votre physiothérapeute puisse assurer votre sécurité."
    assert 50 <= readability.french_ease(fr) < 60
    [(lang, message)] = readability.assess("We ask so that your physiotherapist can keep you safe today.", fr)
    assert lang == "fr" and "Kandel-Moles" in message and "60" in message


def test_question_labels_are_patient_text_and_are_checked():
    data = {"questions": [{"label": {"en": "a", "fr": "b"}, "text": {"en": "c", "fr": "d"}}]}
    locs = [loc for loc, _ in readability.localized_texts(data)]
    assert ("questions", 0, "label") in locs and ("questions", 0, "text") in locs


def test_localized_texts_skip_staff_only_keys_but_not_about():
    data = {
        "about": {"en": "a", "fr": "b"},
        "flags": [{"message": {"en": "a", "fr": "b"}, "clinician": {"en": "c", "fr": "d"}}],
    }
    assert [loc for loc, _ in readability.localized_texts(data)] == [("about",), ("flags", 0, "message")]
    everything = [loc for loc, _ in readability.localized_texts(data, staff_too=True)]
    assert ("flags", 0, "clinician") in everything


NB, NNB = "\u00a0", "\u202f"


def test_french_typography_accepts_canadian_usage():
    good = (
        f"Votre réponse{NB}: oui. Touchez «{NB}Recommencer{NB}». Prêt? Oui! Bien; merci. 7{NNB}629 traitements en 2026."
    )
    assert readability.french_typography(good) == []


def test_french_typography_wants_a_no_break_space_before_a_colon():
    for bad in ("Votre réponse : oui", "Votre réponse: oui", f"Votre réponse{NNB}: oui"):
        [message] = readability.french_typography(bad)
        assert '":"' in message
    assert readability.french_typography("Voir https://example.org/page") == []


def test_french_typography_wants_no_break_spaces_inside_guillemets():
    for bad in ("Touchez « Oui »", f"Touchez «{NB}Oui »", f"Touchez «Oui{NB}»"):
        [message] = readability.french_typography(bad)
        assert "« »" in message


def test_french_typography_wants_no_space_before_question_exclamation_and_semicolon():
    [message] = readability.french_typography(f"Prêt ? Oui ! Bien{NB}; merci")
    assert "'!' '0'" not in message and "'!'" in message and "'?'" in message and "';'" in message


def test_french_typography_wants_a_narrow_no_break_space_in_thousands():
    for bad in ("7 629 traitements", "7,629 traitements", f"7{NB}629 traitements", "20827 personnes"):
        [message] = readability.french_typography(bad)
        assert "U+202F" in message
    assert readability.french_typography("de 15 à 20 minutes, en 2026") == []


def test_placeholders_are_found():
    assert readability.placeholders("Made by [[CLINIC NAME]] with [[AUTHORS]].") == ["[[CLINIC NAME]]", "[[AUTHORS]]"]
    assert readability.placeholders("A [single] bracket is fine.") == []
