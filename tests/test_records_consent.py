"""decision/records/consent.py: the consent and the SURE after the talk, kept beside a record
in the same database, under the record's deletion rules (real SQLite files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from shipped_content import CONTENT
from sqlalchemy import func, select

from decision import score
from decision.records import consent as cr
from decision.records.store import HandoffStore, purge

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
ANSWERS = {"problem_kind": "tight_knot", "sure_certain": "no", "sure_informed": "no"}


def consent(**changes: object) -> cr.ConsentRecord:
    fields: dict[str, object] = {
        "options_discussed": ["ims", "no_needling"],
        "option_chosen": "ims",
        "covered_benefits": True,
        "covered_risks": True,
        "covered_alternatives": True,
        "covered_nothing": False,
        "questions_answered": True,
        "decision": "given",
        "physio_name": "  Dana   Physio ",
        "physio_registration": "PT-12345",
        "recorded_at": T0 + timedelta(minutes=10),
        "zone": "America/Toronto",
    }
    fields.update(changes)
    return cr.make_consent(**fields)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path):
    return f"sqlite:///{tmp_path / 'handoffs.sqlite3'}"


def new_record(store: HandoffStore, now: datetime = T0):
    return store.save(ANSWERS, "en", score(CONTENT, ANSWERS).to_json("en"), CONTENT.version, now=now)


def rows(store: HandoffStore) -> int:
    with store.reading("count") as conn:
        return conn.execute(select(func.count()).select_from(cr.consents)).scalar_one()


def test_a_consent_and_the_sure_after_are_read_back_by_a_new_store_on_the_same_file(db):
    clock = Clock(T0)
    first = HandoffStore(db, clock=clock)
    record = new_record(first)
    cr.save_consent(first, record, consent())
    after = cr.make_sure_after(CONTENT, {"sure_certain": "yes", "sure_informed": "yes", "sure_values": None}, T0)
    cr.save_sure_after(first, record, after)
    first.close()

    again = HandoffStore(db, clock=clock)
    extras = cr.get_extras(again, again.get(record.code, now=T0))
    assert extras.consent == consent()
    assert extras.consent.physio_name == "Dana Physio"  # spaces tidied
    assert extras.consent.covered == ("benefits", "risks", "alternatives")
    assert extras.consent.options_discussed == ("ims", "no_needling")
    assert extras.sure_after is not None and extras.sure_after.answers == {
        "sure_certain": "yes",
        "sure_informed": "yes",
    }


def test_saving_again_replaces_the_consent_and_keeps_the_sure_after(db):
    store = HandoffStore(db, clock=Clock(T0))
    record = new_record(store)
    cr.save_sure_after(store, record, cr.make_sure_after(CONTENT, {"sure_certain": "yes"}, T0))
    cr.save_consent(store, record, consent())
    cr.save_consent(store, record, consent(decision="deferred", option_chosen="decide_later"))
    extras = cr.get_extras(store, record)
    assert extras.consent is not None and extras.consent.decision == "deferred"
    assert extras.sure_after is not None
    assert rows(store) == 1


def test_deleting_the_record_deletes_its_consent(db):
    store = HandoffStore(db, clock=Clock(T0))
    record, other = new_record(store), new_record(store)
    cr.save_consent(store, record, consent())
    cr.save_consent(store, other, consent())
    assert store.delete(record.code)
    assert rows(store) == 1
    assert cr.get_extras(store, other).consent is not None


def test_the_purge_deletes_the_consent_of_expired_records_only(db):
    clock = Clock(T0)
    store = HandoffStore(db, ttl=timedelta(hours=1), clock=clock)
    old = new_record(store)
    cr.save_consent(store, old, consent())
    clock.now = T0 + timedelta(minutes=50)
    young = new_record(store, now=clock.now)
    cr.save_consent(store, young, consent())
    assert purge(store, now=T0 + timedelta(minutes=61)) == 1
    assert rows(store) == 1
    assert cr.get_extras(store, young).consent is not None


def test_sharing_after_expiry_purges_the_old_consent_too(db):
    clock = Clock(T0)
    store = HandoffStore(db, ttl=timedelta(hours=1), clock=clock)
    old = new_record(store)
    cr.save_consent(store, old, consent())
    new_record(store, now=T0 + timedelta(hours=2))  # save() purges what expired first
    assert rows(store) == 0


def test_a_consent_row_never_shows_beside_a_later_record_with_the_same_code(db):
    store = HandoffStore(db, clock=Clock(T0))
    record = new_record(store)
    cr.save_consent(store, record, consent())
    later = type(record)(
        record.code, record.created_at + timedelta(hours=13), record.expires_at, "en", {}, CONTENT.version,
        record.result,
    )  # fmt: skip
    assert cr.get_extras(store, later) == cr.RecordExtras()


def test_no_consent_is_kept_for_a_deleted_or_expired_record(db):
    clock = Clock(T0)
    store = HandoffStore(db, ttl=timedelta(hours=1), clock=clock)
    record = new_record(store)
    store.delete(record.code)
    with pytest.raises(cr.ConsentError, match="is gone"):
        cr.save_consent(store, record, consent())
    expired = new_record(store)
    clock.now = T0 + timedelta(hours=2)
    with pytest.raises(cr.ConsentError, match="is gone"):
        cr.save_consent(store, expired, consent())
    assert rows(store) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"decision": "given", "option_chosen": "decide_later"}, "needs the option chosen"),
        ({"physio_name": "   "}, "physio_name"),
        ({"physio_registration": ""}, "physio_registration"),
        ({"physio_name": "Dana\x00"}, "plain text"),
        ({"option_chosen": "surgery"}, "option_chosen"),
        ({"decision": "maybe"}, "decision"),
        ({"options_discussed": []}, "options_discussed"),
        ({"recorded_at": datetime(2026, 3, 2, 14, 0)}, "aware"),
    ],
    ids=[
        "consent given to deciding later",
        "a blank name",
        "no registration number",
        "a control character",
        "an option the clinic does not offer",
        "an unknown decision",
        "nothing discussed",
        "a time without a zone",
    ],
)
def test_a_consent_that_does_not_fit_is_refused_in_plain_words(changes, message):
    with pytest.raises(cr.ConsentError, match=message) as caught:
        consent(**changes)
    assert "Traceback" not in str(caught.value) and "pydantic" not in str(caught.value)


def test_sure_after_takes_only_the_content_s_sure_items_answered_yes_or_no():
    with pytest.raises(cr.ConsentError, match="Not SURE items: wants_needles"):
        cr.make_sure_after(CONTENT, {"wants_needles": "yes"}, T0)
    with pytest.raises(cr.ConsentError, match="at least one"):
        cr.make_sure_after(CONTENT, {"sure_certain": None}, T0)
    with pytest.raises(cr.ConsentError):
        cr.make_sure_after(CONTENT, {"sure_certain": "maybe"}, T0)


def test_the_sure_score_after_counts_like_the_engine():
    answers = {"sure_certain": "yes", "sure_informed": "no", "sure_values": "yes", "sure_support": "no"}
    engine = score(CONTENT, answers).sure
    mine = cr.sure_score(CONTENT, answers)
    assert (mine.score, mine.answered, mine.needs, mine.unsure) == (
        engine.score,
        engine.answered,
        engine.needs,
        engine.unsure,
    )
    assert cr.sure_score(CONTENT, {"sure_certain": "yes"}).not_answered == CONTENT.sure_ids[1:]


def test_delete_extras_removes_only_what_is_kept_beside_the_record(db):
    store = HandoffStore(db, clock=Clock(T0))
    record = new_record(store)
    cr.save_consent(store, record, consent())
    cr.save_link(store, record, "ABC234")
    assert cr.get_extras(store, record).linked_code == "ABC234"
    cr.delete_extras(store, record.code)
    assert cr.get_extras(store, record) == cr.RecordExtras()
    assert store.get(record.code, now=T0).code == record.code  # the record itself stays
