"""Every setting of the app and the command line, read in one place.

The environment wins (``DECISION_*``, and ``CLINICIAN_PIN_HASH``), then the secrets
(``st.secrets`` in the app, ``.streamlit/secrets.toml`` for commands), then the
defaults. Reading never fails: each value is parsed where it is used (a property
here), and one that cannot be used is a :class:`SettingsError` naming it, so a wrong
time zone never stops the PIN from being read.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from decision.errors import DecisionError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
DEFAULT_DB_PATH = Path("data") / "handoffs.sqlite3"
DEFAULT_IDLE_SECONDS = 180
DEFAULT_TTL = timedelta(hours=12)  # how long a shared code lives without a setting
# Keys the secrets file may hold (the environment uses DECISION_<KEY>, upper case).
SECRET_KEYS = ("db_url", "handoff_ttl_hours", "timezone", "clinician_pin_hash", "metrics")


# Every environment variable read here (a change to any of them is a new reading).
ENV_NAMES = (
    "DECISION_DB_URL",
    "DECISION_DB_PATH",
    "DECISION_HANDOFF_TTL_HOURS",
    "DECISION_TIMEZONE",
    "DECISION_IDLE_SECONDS",
    "DECISION_CONTENT_DIR",
    "DECISION_FHIR_CANONICAL",
    "DECISION_TRUSTED_PROXIES",
    "DECISION_RAISE_PAGE_ERRORS",
    "DECISION_GC_DEFAULTS",
    "DECISION_METRICS",
    "CLINICIAN_PIN_HASH",
)


class SettingsError(DecisionError):
    """A setting that cannot be used (one plain line naming it)."""


class SettingsFileBroken(SettingsError):
    """The settings file (``.streamlit/secrets.toml``) does not parse: nothing in it can be trusted.

    Never a fallback: without the file's ``db_url`` records would go to another
    database, and without its PIN hash the clinician page would give wrong advice.
    ``line`` is where the reader stopped (1-based); ``reason`` is the reader's words,
    which never quote a value.
    """

    def __init__(self, path: Path, line: int, reason: str):
        self.path = path
        self.line = line
        self.reason = reason
        super().__init__(f"the settings file is broken: line {line} of {path}: {reason}")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DECISION_", extra="ignore", frozen=True, env_ignore_empty=True)

    db_url: str | None = None
    db_path: Path = DEFAULT_DB_PATH
    handoff_ttl_hours: str | None = None
    timezone: str | None = None
    idle_seconds: str | None = None  # lenient: a wrong value falls back to the default
    content_dir: Path | None = None
    fhir_canonical: str | None = None
    trusted_proxies: str = ""
    raise_page_errors: bool = False
    gc_defaults: bool = False
    metrics: str | None = None  # the dashboard's counters: "off" (or no/false/0) turns counting off
    clinician_pin_hash: str | None = Field(
        None, validation_alias=AliasChoices("CLINICIAN_PIN_HASH", "clinician_pin_hash")
    )

    @field_validator(
        "db_url", "timezone", "clinician_pin_hash", "fhir_canonical", "handoff_ttl_hours", "idle_seconds", mode="before"
    )
    @classmethod
    def _text(cls, value: Any) -> Any:
        """Secrets may hold numbers; blank counts as not set."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return value.strip() or None if isinstance(value, str) else value

    @field_validator("metrics", mode="before")
    @classmethod
    def _switch(cls, value: Any) -> Any:
        """``metrics = false`` in the secrets means off."""
        if isinstance(value, bool):
            return "on" if value else "off"
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)  # the environment first, then the secrets given

    # ------------------------------------------------------------ derived values

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file used without ``db_url`` (relative paths are under the project root)."""
        path = self.db_path.expanduser()
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def handoff_ttl(self) -> timedelta:
        """How long a shared code lives: more than 0 and at most a week; 12 hours by default."""
        raw = self.handoff_ttl_hours
        if raw is None:
            return DEFAULT_TTL
        try:
            hours = float(raw)
        except ValueError:
            raise SettingsError(f"handoff_ttl_hours must be a number of hours, got {raw[:40]!r}") from None
        if not 0 < hours <= 24 * 7:
            raise SettingsError(f"handoff_ttl_hours must be more than 0 and at most 168 (one week), got {raw[:40]!r}")
        return timedelta(hours=hours)

    @property
    def zone(self) -> tzinfo:
        """The clinic's time zone for every time a person reads (times are stored in UTC).

        ``timezone``: an IANA name such as ``America/Toronto``; without one, the server's
        local zone (:func:`local_zone`). A name that is not a time zone is a :class:`SettingsError`.
        """
        raw = self.timezone
        if raw is None:
            return local_zone()
        try:
            return ZoneInfo(str(raw).strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"timezone must be an IANA time zone name such as America/Toronto, got {str(raw)[:60]!r}"
            ) from None

    @property
    def idle(self) -> int:
        """Seconds before the idle wipe: a whole number of at least 5, else 180."""
        try:
            value = int(str(self.idle_seconds).strip())
        except ValueError:
            return DEFAULT_IDLE_SECONDS
        return value if value >= 5 else DEFAULT_IDLE_SECONDS

    @property
    def metrics_on(self) -> bool:
        """Counting for the dashboard (docs/metrics.md): on unless ``DECISION_METRICS=off``."""
        return str(self.metrics or "on").strip().lower() not in ("off", "no", "false", "0")

    @property
    def proxies(self) -> tuple[Network, ...]:
        """Addresses (CIDR, comma-separated) whose forwarded headers count; unreadable items are left out."""
        nets: list[Network] = []
        for item in self.trusted_proxies.split(","):
            try:
                nets.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                continue
        return tuple(nets)


def local_zone() -> tzinfo:
    """The server's own time zone (``TZ``, else /etc/localtime), with its daylight-saving rules."""
    name = os.environ.get("TZ", "").strip().lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        return datetime.now().astimezone().tzinfo or UTC


def _from_secrets(secrets: Mapping[str, Any] | None) -> dict[str, Any]:
    """The keys we know from ``st.secrets`` or a dict; a missing secrets file is no value."""
    if secrets is None:
        return {}
    out = {}
    for key in SECRET_KEYS:
        try:
            value = secrets.get(key)
        except (KeyError, FileNotFoundError):  # Streamlit raises these when there is no secrets.toml
            return {}
        if value is not None and value != "":
            out[key] = value
    return out


def load_settings(secrets: Mapping[str, Any] | None = None) -> Settings:
    """Read the environment and ``secrets``. Values are parsed when used (the properties)."""
    try:
        return Settings(**_from_secrets(secrets))
    except ValidationError as exc:  # only a secrets value of a wrong kind (a list, a table) gets here
        err = exc.errors(include_url=False)[0]
        name = str(err["loc"][0]) if err["loc"] else "a setting"
        raise SettingsError(f"{name} in the secrets: {err['msg']}") from None


def _broken_at(data: bytes, exc: Exception) -> tuple[int, str]:
    """(line, reason) of a TOML or UTF-8 error, without any value from the file."""
    if isinstance(exc, UnicodeDecodeError):
        return data[: exc.start].count(b"\n") + 1, "not UTF-8 text"
    message = str(exc)
    found = re.search(r"\(at line (\d+), column \d+\)", message)
    reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message).strip() or "not valid TOML"
    if found:
        return int(found.group(1)), reason
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1), reason  # "at end of document"


def read_secrets_file(path: Path | None = None) -> dict[str, Any]:
    """``.streamlit/secrets.toml`` as a dict; {} when there is no such file.

    A file that does not parse raises :class:`SettingsFileBroken` (with its line),
    one that cannot be read a :class:`SettingsError`.
    """
    path = path or SECRETS_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SettingsError(f"cannot read the settings file {path}: {exc.strerror or exc}") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        line, reason = _broken_at(data, exc)
        raise SettingsFileBroken(path, line, reason) from None
