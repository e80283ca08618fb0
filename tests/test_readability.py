"""decision/readability.py: grade-level warnings for patient text."""

from decision import readability


def test_plain_text_passes_and_dense_text_is_flagged():
    plain_en = "The needle goes in and out fast. You may feel a short cramp. It can be sore for a day or two."
    plain_fr = "L'aiguille entre et sort vite. Vous pouvez sentir une crampe. Ce peut être sensible un jour ou deux."
    assert readability.assess(plain_en, plain_fr) == []
    dense_en = ("Intramuscular stimulation necessitates the instrumentation of myofascial trigger points, "
                "consequently eliciting involuntary contractile responses accompanied by considerable postprocedural discomfort.")
    dense_fr = ("La stimulation intramusculaire nécessite l'instrumentation des points gâchettes myofasciaux, "
                "provoquant conséquemment des réponses contractiles involontaires accompagnées d'un inconfort postprocédural considérable.")
    langs = [lang for lang, _ in readability.assess(dense_en, dense_fr)]
    assert langs == ["en", "fr"]


def test_short_labels_are_not_judged():
    assert readability.assess("Intramuscular stimulation", "Stimulation intramusculaire") == []


def test_localized_texts_skip_staff_only_keys():
    data = {"flags": [{"message": {"en": "a", "fr": "b"}, "clinician": {"en": "c", "fr": "d"}}]}
    assert [loc for loc, _ in readability.localized_texts(data)] == [("flags", 0, "message")]
