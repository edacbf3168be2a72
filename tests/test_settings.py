"""Settings are data: every field is documented in the README and overridable by environment."""

from __future__ import annotations

import math
from dataclasses import fields, replace
from pathlib import Path

import pytest

from analysis.settings import Settings, SettingsError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_documented_in_readme() -> None:
    text = README.read_text("utf-8")
    missing = [f.name for f in fields(Settings) if f"`ANALYSIS_{f.name.upper()}`" not in text]
    assert missing == [], f"settings missing from the README's settings table: {missing}"


def test_environment_overrides_defaults() -> None:
    s = Settings.from_env(
        {"ANALYSIS_ALLOW_PRIVATE": "1", "ANALYSIS_MAX_BYTES": "1000", "DATABASE_URL": "sqlite://"}
    )
    assert s.allow_private is True
    assert s.max_bytes == 1000
    assert s.database_url == "sqlite://"
    assert Settings.from_env({}).allow_private is False  # safe by default


def test_explicit_overrides_win_and_none_is_ignored() -> None:
    s = Settings.from_env({"ANALYSIS_WORKERS": "3"}, workers=5, deadline=None)
    assert s.workers == 5
    assert s.deadline == Settings().deadline


def test_bad_values_are_readable_errors() -> None:
    with pytest.raises(ValueError, match="ANALYSIS_WORKERS='many' is not a valid int"):
        Settings.from_env({"ANALYSIS_WORKERS": "many"})
    with pytest.raises(ValueError, match="ANALYSIS_ALLOW_PRIVATE"):
        Settings.from_env({"ANALYSIS_ALLOW_PRIVATE": "perhaps"})


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("WORKERS", "-3", "ANALYSIS_WORKERS='-3' must be greater than 0"),
        ("WORKERS", "0", "ANALYSIS_WORKERS='0' must be greater than 0"),
        ("WORKERS", "2.5", "ANALYSIS_WORKERS='2.5' is not a valid int"),
        ("DEADLINE", "nan", "ANALYSIS_DEADLINE='nan' is not a finite number"),
        ("DEADLINE", "inf", "ANALYSIS_DEADLINE='inf' is not a finite number"),
        ("READ_TIMEOUT", "-1", "ANALYSIS_READ_TIMEOUT='-1' must be greater than 0"),
        ("MAX_BYTES", "0", "ANALYSIS_MAX_BYTES='0' must be greater than 0"),
        ("RETRIES", "-1", "ANALYSIS_RETRIES='-1' must not be negative"),
        ("CACHE_TTL", "-5", "ANALYSIS_CACHE_TTL='-5' must not be negative"),
        ("EVENT_WINDOW_DAYS", "NaN", "ANALYSIS_EVENT_WINDOW_DAYS='NaN' is not a finite number"),
    ],
)
def test_negative_nan_and_fractional_settings_are_refused_at_load(name, raw, message) -> None:
    with pytest.raises(SettingsError) as exc:
        Settings.from_env({f"ANALYSIS_{name}": raw})
    assert str(exc.value) == message


def test_zero_is_allowed_where_it_means_off() -> None:
    s = Settings.from_env({"ANALYSIS_RETRIES": "0", "ANALYSIS_CACHE_TTL": "0", "ANALYSIS_DOMAIN_DELAY": "0"})
    assert (s.retries, s.cache_ttl, s.domain_delay) == (0, 0.0, 0.0)


def test_settings_made_in_code_are_validated_too() -> None:
    with pytest.raises(SettingsError, match="setting deadline=nan is not a finite number"):
        Settings(deadline=math.nan)
    with pytest.raises(SettingsError, match="setting workers=-1 must be greater than 0"):
        replace(Settings(), workers=-1)
    with pytest.raises(SettingsError, match=r"setting per_domain=1\.5 is not a whole number"):
        Settings(per_domain=1.5)  # type: ignore[arg-type]


def test_bad_environment_setting_is_a_one_line_cli_error(capsys, monkeypatch) -> None:
    from analysis.cli.main import main

    monkeypatch.setenv("ANALYSIS_DEADLINE", "-1")
    assert main(["events", "--db", "sqlite:///unused.db"]) == 1
    err = capsys.readouterr().err
    assert err == "error: ANALYSIS_DEADLINE='-1' must be greater than 0\n"
