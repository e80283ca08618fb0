"""decision/records/db_errors.py: every database failure has a key, and the key has words.

Failures are made in real databases (an SQLite file, a throw-away PostgreSQL cluster):
a trigger raises the message or the SQLSTATE under test inside the store's own save,
so the store's guard and the lookup tables decide the key, not this test.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import PostgresCluster, postgres_cluster
from shipped_content import CONTENT
from sqlalchemy import create_engine, text

from decision.records.db_errors import DEFAULT_KEY, ENGLISH, StoreError
from decision.records.store import HandoffStore
from decision.yamlio import load_yaml_file

UI_YAML = Path(__file__).resolve().parent.parent / "content" / "ui.yaml"
ANSWERS = {"main_area": "low_back"}
RESULT = {"content_version": "v1", "language": "en", "lean": {"option": None, "strength": "none"}, "flags": []}


def placeholders(words: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(words) if name}


def clinician_words() -> dict[str, dict[str, str]]:
    return load_yaml_file(UI_YAML).data["clinician"]


@pytest.mark.parametrize("key", sorted(ENGLISH))
def test_every_error_key_has_staff_words_in_both_languages_filled_from_its_fields(key):
    words = clinician_words()
    assert key in words, f"{key} has no words in the clinician section of content/ui.yaml"
    for lang in ("en", "fr"):
        said = str(words[key].get(lang, "")).strip()
        assert said, f"{key} has no {lang} words"
        # The staff's words may only use fields the English sentence is made from (so they are always
        # there), and "place": the database named without English words, given with every "where".
        given = placeholders(ENGLISH[key]) | ({"place"} if "where" in placeholders(ENGLISH[key]) else set())
        assert placeholders(said) <= given, (key, lang)


def test_an_error_made_from_a_plain_sentence_shows_words_without_fields():
    exc = StoreError("The settings file is broken: line 3 of secrets.toml: bad")
    assert exc.key == DEFAULT_KEY and exc.fields == {}
    assert str(exc) == "The settings file is broken: line 3 of secrets.toml: bad"
    assert not placeholders(CONTENT.t(DEFAULT_KEY, "fr"))


def staff_words(exc: StoreError, lang: str) -> str:
    return CONTENT.t(exc.key, lang).format(**exc.fields)


def _raw(url: str, *statements: str) -> None:
    """SQL run directly, as an administrator would (not through the store)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


# --------------------------------------------------------------------------- SQLite, by its words


@pytest.mark.parametrize(
    ("sqlite_says", "key"),
    [
        ("file is not a database", "clin_db_damaged"),
        ("database disk image is malformed", "clin_db_damaged"),
        ("attempt to write a readonly database", "clin_db_read_only"),
        ("unable to open database file", "clin_db_cannot_open"),
        ("database is locked", "clin_db_busy"),
        ("database or disk is full", "clin_db_disk_full"),
        ("refused by a test trigger", "clin_db_failed"),
    ],
)
def test_an_sqlite_failure_gets_the_key_of_its_words(tmp_path: Path, sqlite_says: str, key: str):
    url = f"sqlite:///{tmp_path / 'handoffs.sqlite3'}"
    store = HandoffStore(url)
    code = store.save(ANSWERS, "en", RESULT, "v1").code
    # On a delete: a refused insert is, to the store, a clash of codes (it draws another).
    trigger = (
        f"CREATE TRIGGER refuse BEFORE DELETE ON decision_handoffs BEGIN SELECT RAISE(ABORT, '{sqlite_says}'); END"
    )
    _raw(url, trigger)
    with pytest.raises(StoreError) as caught:
        store.delete(code)
    store.close()
    exc = caught.value
    assert exc.key == key
    assert exc.fields["where"] == str(tmp_path / "handoffs.sqlite3") and exc.fields["action"] == "delete the answers"
    assert exc.fields["reason"] == sqlite_says and "\n" not in str(exc)  # the English line is for the log
    french = staff_words(exc, "fr")
    assert "base de données" in french and "handoff database" not in french and sqlite_says not in french


def test_a_file_that_is_not_a_database_is_named_damaged_in_french(tmp_path: Path):
    path = tmp_path / "handoffs.sqlite3"
    path.write_bytes(b"this is not SQLite" * 300)
    with pytest.raises(StoreError) as caught:
        HandoffStore(f"sqlite:///{path}")
    assert caught.value.key == "clin_db_damaged" and "damaged" in str(caught.value)
    assert staff_words(caught.value, "fr").startswith(f"La base de données des transferts {path} est endommagée")


# --------------------------------------------------------------------------- PostgreSQL, by SQLSTATE


@pytest.fixture(scope="module")
def pg() -> Iterator[PostgresCluster]:
    with postgres_cluster() as cluster:
        yield cluster


@pytest.mark.system
@pytest.mark.parametrize(
    ("sqlstate", "key", "reason"),
    [
        ("40001", "clin_db_busy", "40001"),  # serialization_failure
        ("55P03", "clin_db_busy", "55P03"),  # lock_not_available
        ("42501", "clin_db_denied", "42501"),  # insufficient_privilege
        ("53100", "clin_db_out_of_resources", "53100"),  # disk_full: by its class, 53
        ("P0001", "clin_db_server_failed", "RaiseException P0001"),  # raise_exception: no entry
    ],
)
def test_a_server_failure_gets_the_key_of_its_sqlstate(pg: PostgresCluster, sqlstate: str, key: str, reason: str):
    url = pg.create_database()
    store = HandoffStore(url)
    _raw(
        url,
        "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION 'refused %', NEW.answers USING ERRCODE = '{sqlstate}'; END $$",
        "CREATE TRIGGER refuse BEFORE INSERT ON decision_handoffs FOR EACH ROW EXECUTE FUNCTION refuse()",
    )
    with pytest.raises(StoreError) as caught:
        store.save(ANSWERS, "en", RESULT, "v1")
    store.close()
    exc = caught.value
    assert (exc.key, exc.fields["reason"]) == (key, reason)
    assert "low_back" not in str(exc) and "refused" not in str(exc)  # never the server's text, which quotes values
    assert "low_back" not in staff_words(exc, "fr") and "handoff database" not in staff_words(exc, "fr")


@pytest.mark.system
def test_a_refused_login_and_a_missing_database_are_told_apart_while_connecting(pg: PostgresCluster):
    url = pg.create_database()
    with pytest.raises(StoreError) as caught:
        HandoffStore(url.replace(pg.app_password, "not-the-password"))
    assert caught.value.key == "clin_db_login" and "not-the-password" not in staff_words(caught.value, "fr")
    with pytest.raises(StoreError) as caught:
        HandoffStore(url.rsplit("/", 1)[0] + "/no_such_database")
    assert caught.value.key == "clin_db_missing"
    assert caught.value.fields["where"] == f"no_such_database on 127.0.0.1:{pg.port}"  # the English line for the log
    said = staff_words(caught.value, "fr")
    assert said.startswith(f"La base de données des transferts no_such_database (127.0.0.1:{pg.port}) n'existe pas")
