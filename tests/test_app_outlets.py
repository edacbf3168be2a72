"""The Manage outlets page (AppTest, on a database of its own): a display name edited and saved is
the label on the Outlets and Compare pages; colours stay; import and export."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analysis.store import Store, event_slug

try:  # tests/ is on sys.path while it has no __init__.py
    from dashboard_fixtures import FIXTURE_EVENT, build_fixture_db
except ModuleNotFoundError:
    from tests.dashboard_fixtures import FIXTURE_EVENT, build_fixture_db

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 60  # seconds per script run
PAGE = "app_pages/outlets_manage.py"


def _page(url: str, monkeypatch: pytest.MonkeyPatch, page: str = PAGE) -> AppTest:
    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()  # a first run: pages by url_path
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_a_saved_display_name_is_used_on_every_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = build_fixture_db(tmp_path / "outlets.db")
    store = Store(url)
    colours = store.outlet_colors()
    at = _page(url, monkeypatch)
    assert any("Manage outlets" in el.proto.body for el in at.get("html"))
    at.selectbox(key="om-pick").set_value("Daily Ledger").run()
    at.text_input(key="om-display-Daily Ledger").input("The Ledger (daily)")
    at.button(key="om-save-Daily Ledger").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("changed display\\_name" in s.value for s in at.success), [s.value for s in at.success]
    assert store.outlet_labels()["Daily Ledger"] == "The Ledger (daily)"
    assert store.outlet_colors() == colours  # a rename repaints nothing
    assert [r["action"] for r in store.history()][:1] == ["outlet.display_name"]

    # a new dimension: added, then a value saved for one outlet
    at.text_input(key="om-new-dim").input("leaning")
    at.button(key="om-add-dim").click().run()
    at.selectbox(key="om-pick").set_value("Morning Post").run()
    at.text_input(key="om-group-Morning Post-leaning").input("centre")
    at.button(key="om-save-Morning Post").click().run()
    assert store.outlet_groups("leaning") == {"Morning Post": "centre"}

    outlets = _page(url, monkeypatch, "app_pages/outlets.py")
    table = outlets.dataframe[0].value
    assert "The Ledger (daily)" in set(table["outlet"]) and "Daily Ledger" not in set(table["outlet"])
    scatter = next(
        e for e in outlets.get("plotly_chart") if "The Ledger (daily)" in e.proto.spec
    )  # the chart labels it too, in the outlet's stored colour
    assert colours["Daily Ledger"] in scatter.proto.spec

    monkeypatch.setenv("ANALYSIS_DATABASE_URL", url)
    compare = AppTest.from_file(APP, default_timeout=TIMEOUT)
    compare.switch_page("app_pages/compare.py")
    compare.query_params["event"] = event_slug(FIXTURE_EVENT)
    compare.run()
    assert not compare.exception, [e.value for e in compare.exception]
    first = next(e for e in compare.get("plotly_chart"))
    assert "The Ledger (daily)" in first.proto.spec


def test_the_page_offers_import_and_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CSV itself is tested with the store and the CLI (tests/store/test_store_outlets.py)."""
    at = _page(build_fixture_db(tmp_path / "outlets.db"), monkeypatch)
    assert [b.proto.label for b in at.get("download_button")] == ["Export outlets (CSV)"]
    assert len(at.get("file_uploader")) == 1
    assert any("never deletes" in c.value for c in at.caption)


def test_a_save_keeps_what_another_session_changed_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = build_fixture_db(tmp_path / "outlets.db")
    store = Store(url)
    at = _page(url, monkeypatch)
    at.selectbox(key="om-pick").set_value("Morning Post").run()
    store.edit_outlet("Morning Post", colour="#010203", user="someone else")  # another session
    at.text_input(key="om-display-Morning Post").input("The Post")
    at.button(key="om-save-Morning Post").click().run()
    assert not at.exception, [e.value for e in at.exception]
    o = store.find_outlet("Morning Post")
    assert (o["display_name"], o["colour"]) == ("The Post", "#010203")
