"""decision/settings.py: every setting read in one place; the environment wins over the
secrets, blank counts as not set, and a bad value fails only where it is used."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from decision.settings import PROJECT_ROOT, SettingsError, SettingsFileBroken, load_settings, read_secrets_file

NAMES = (
    "DECISION_DB_URL", "DECISION_DB_PATH", "DECISION_HANDOFF_TTL_HOURS", "DECISION_TIMEZONE", "DECISION_IDLE_SECONDS",
    "DECISION_CONTENT_DIR", "DECISION_FHIR_CANONICAL", "DECISION_TRUSTED_PROXIES", "DECISION_RAISE_PAGE_ERRORS",
    "DECISION_GC_DEFAULTS", "CLINICIAN_PIN_HASH",
)  # fmt: skip


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


class NoSecretsFile(dict):
    def get(self, key, default=None):  # as st.secrets does without a secrets.toml
        raise FileNotFoundError("no secrets file")


def test_defaults_without_environment_or_secrets():
    s = load_settings(None)
    assert s.db_url is None and s.sqlite_path == PROJECT_ROOT / "data" / "handoffs.sqlite3"
    assert s.handoff_ttl == timedelta(hours=12) and s.idle == 180 and s.timezone is None
    assert s.clinician_pin_hash is None and s.proxies == () and not s.raise_page_errors
    assert load_settings(NoSecretsFile()) == s


def test_the_environment_wins_over_the_secrets(monkeypatch):
    secrets = {"db_url": "postgresql+psycopg://file/db", "handoff_ttl_hours": 2, "clinician_pin_hash": "from-file"}
    assert load_settings(secrets).db_url == "postgresql+psycopg://file/db"
    assert load_settings(secrets).handoff_ttl == timedelta(hours=2)
    monkeypatch.setenv("DECISION_DB_URL", "postgresql+psycopg://env/db")
    monkeypatch.setenv("DECISION_HANDOFF_TTL_HOURS", "0.5")
    monkeypatch.setenv("CLINICIAN_PIN_HASH", "from-env")
    s = load_settings(secrets)
    assert (s.db_url, s.handoff_ttl, s.clinician_pin_hash) == ("postgresql+psycopg://env/db", timedelta(minutes=30),
                                                                 "from-env")  # fmt: skip


def test_blank_values_count_as_not_set(monkeypatch):
    monkeypatch.setenv("DECISION_DB_URL", "   ")
    assert load_settings({"db_url": "  ", "clinician_pin_hash": ""}).db_url is None
    assert load_settings({"clinician_pin_hash": "  "}).clinician_pin_hash is None


@pytest.mark.parametrize("bad", ["soon", "0", "-3", "1000"])
def test_a_bad_ttl_fails_only_where_it_is_used(monkeypatch, bad):
    monkeypatch.setenv("DECISION_HANDOFF_TTL_HOURS", bad)
    monkeypatch.setenv("CLINICIAN_PIN_HASH", "still-read")
    s = load_settings(None)
    assert s.clinician_pin_hash == "still-read"  # a wrong TTL never hides the PIN
    with pytest.raises(SettingsError, match="handoff_ttl_hours"):
        _ = s.handoff_ttl


@pytest.mark.parametrize(("raw", "idle"), [("60", 60), ("soon", 180), ("0", 180), ("4", 180)])
def test_idle_seconds_fall_back_to_the_default(monkeypatch, raw, idle):
    monkeypatch.setenv("DECISION_IDLE_SECONDS", raw)
    assert load_settings(None).idle == idle


def test_trusted_proxies_keep_the_networks_that_parse(monkeypatch):
    monkeypatch.setenv("DECISION_TRUSTED_PROXIES", "10.0.0.0/8, nonsense, ::1")
    assert [str(n) for n in load_settings(None).proxies] == ["10.0.0.0/8", "::1/128"]


def test_a_relative_sqlite_path_is_under_the_project(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DECISION_DB_PATH", "elsewhere/h.db")
    assert load_settings(None).sqlite_path == PROJECT_ROOT / "elsewhere" / "h.db"
    monkeypatch.setenv("DECISION_DB_PATH", str(tmp_path / "x.db"))
    assert load_settings(None).sqlite_path == tmp_path / "x.db"


def test_the_secrets_file_is_read_for_commands(tmp_path: Path):
    assert read_secrets_file(tmp_path / "none.toml") == {}
    path = tmp_path / "secrets.toml"
    path.write_text('timezone = "America/Toronto"\n', encoding="utf-8")
    assert load_settings(read_secrets_file(path)).timezone == "America/Toronto"
    path.write_text('db_url = "postgresql://h/db"\ntimezone = \n', encoding="utf-8")
    with pytest.raises(SettingsFileBroken, match="the settings file is broken: line 2 of ") as caught:
        read_secrets_file(path)
    assert caught.value.line == 2 and caught.value.path == path and "postgresql" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (b'timezone = "America/Toronto"\nclinician_pin_hash = = "x"\n', 2),
        (b'db_url = "postgresql://h/db\n', 1),  # a string left open
        (b"\n\n[table\n", 3),
        (b'timezone = "America/Toronto"\ntimezone = "UTC"\n', 2),  # a key given twice
        (b'a = 1\nb = "\xff"\n', 2),  # not UTF-8
    ],
    ids=["a typo", "an open string", "an open table", "a key twice", "not utf-8"],
)
def test_a_settings_file_that_does_not_parse_names_its_line(tmp_path: Path, text: bytes, line: int):
    path = tmp_path / "secrets.toml"
    path.write_bytes(text)
    with pytest.raises(SettingsFileBroken) as caught:
        read_secrets_file(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"the settings file is broken: line {line} of {path}")
    assert "postgresql" not in str(caught.value) and "America" not in str(caught.value)
