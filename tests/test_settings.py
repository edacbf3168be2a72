"""Settings are data: every field is documented in the README and overridable by environment."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from analysis.settings import Settings

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
