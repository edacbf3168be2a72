"""The outlet table: stable colours, names from the page, a person's edits, import/export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from analysis.outlet_table import outlet_csv, read_outlet_csv
from analysis.palette import MIN_COLOUR_DISTANCE, OUTLET_PALETTE, _distance, next_outlet_colour
from analysis.present import charts
from analysis.store import Store, StoreError
from analysis.store.outlets import OutletEdit
from tests.store.test_store import _postgres_store, make_article


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path) -> Iterator[Store]:
    if request.param == "postgresql":
        yield from _postgres_store()
    else:
        yield Store(f"sqlite:///{tmp_path / 'outlets.db'}")


def _add(store: Store, n: int, outlet: str, **kw) -> str:
    """Store one article of ``outlet``; returns the outlet name stored on it."""
    url = f"https://{kw.get('domain', 'news.example')}/{n}"
    store.add_article(
        make_article(url, outlet=outlet, **kw), None, canonical_url=url, event_id=None, source="url"
    )
    return next(a["outlet"] for a in store.event_articles(with_text=False) if a["url"] == url)


def test_adding_an_outlet_never_changes_another_outlets_colour(store: Store) -> None:
    for i, name in enumerate(["Mid Paper", "Zulu Times", "Bravo Daily"]):
        _add(store, i, name, domain=f"d{i}.example")
    before = store.outlet_colors()
    exported = {e.name: e.colour for e in read_outlet_csv(outlet_csv(store.export_outlets()))}
    _add(store, 10, "Alpha News", domain="alpha.example")  # sorts first: the old scheme repainted all
    after = store.outlet_colors()
    assert {k: after[k] for k in before} == before
    assert exported == {k: after[k] for k in exported}  # an export made before matches the screen after
    assert after["Alpha News"] not in before.values()
    assert after["Mid Paper"] == OUTLET_PALETTE[0].lower()  # first seen, first colour


def test_colours_beyond_the_palette_are_distinct_and_deterministic() -> None:
    used = [c.lower() for c in OUTLET_PALETTE]
    extra = []
    for i in range(12):
        colour = next_outlet_colour(f"Outlet {i}", used)
        assert colour == next_outlet_colour(f"Outlet {i}", used)  # the same name and set: the same colour
        assert min(_distance(colour, c) for c in used) >= MIN_COLOUR_DISTANCE * 0.5
        used.append(colour)
        extra.append(colour)
    assert len(set(extra)) == len(extra)


def test_an_older_database_keeps_the_colours_it_showed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    names = ["Zeta", "Alpha", "Mid"]
    for i, name in enumerate(names):
        _add(store, i, name, domain=f"o{i}.example")
    engine = create_engine(url)
    with engine.begin() as conn:  # as made by the version before the outlets table
        conn.execute(text("DROP TABLE outlets"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    reopened = Store(url)
    assert reopened.outlet_colors() == {k: v.lower() for k, v in charts.outlet_colors(names).items()}
    assert {o["name"]: o["domains"] for o in reopened.outlets()} == {
        "Zeta": ["o0.example"],
        "Alpha": ["o1.example"],
        "Mid": ["o2.example"],
    }


def test_the_page_names_an_outlet_and_the_domain_is_kept(store: Store) -> None:
    # a page without a site name: named as its domain; a later page's own name becomes the display name
    assert _add(store, 1, "paper.example", domain="paper.example", outlet_source="domain") == "paper.example"
    name = _add(store, 2, "The Paper", domain="paper.example", outlet_source="page", site_name="The Paper")
    assert name == "paper.example"  # one outlet per domain: the articles keep one key
    [o] = store.outlets()
    assert (o["display_name"], o["domains"], o["origin"], o["articles"]) == (
        "The Paper",
        ["paper.example"],
        "page",
        2,
    )
    # a person's name is never replaced by a page's
    store.edit_outlet("paper.example", display_name="My Paper")
    _add(store, 3, "Other Name", domain="paper.example", outlet_source="page", site_name="Other Name")
    assert store.find_outlet("paper.example")["display_name"] == "My Paper"
    assert store.outlet_labels() == {"paper.example": "My Paper"}


def test_sites_on_one_ip_address_are_told_apart_by_their_names(store: Store) -> None:
    for i, site in enumerate(["Harbour Wire", "The Daily Klaxon"]):
        got = _add(store, i, site, domain="127.0.0.1", outlet_source="page", site_name=site)
        assert got == site
    assert {o["name"]: o["domains"] for o in store.outlets()} == {
        "Harbour Wire": ["127.0.0.1"],
        "The Daily Klaxon": ["127.0.0.1"],
    }


def test_shipped_groups_come_with_a_new_outlet(store: Store) -> None:
    _add(
        store,
        1,
        "Associated Press",
        domain="apnews.com",
        outlet_source="table",
        outlet_groups=(("type", "wire agency"), ("country", "US")),
    )
    o = store.find_outlet("associated press")
    assert o["origin"] == "shipped" and o["groups"] == {"type": "wire agency", "country": "US"}
    assert store.outlet_groups("type") == {"Associated Press": "wire agency"}
    assert store.outlet_dimensions() == ["country", "type"]


def test_edits_write_history_and_are_checked(store: Store) -> None:
    _add(store, 1, "A Paper", domain="a.example")
    _add(store, 2, "B Paper", domain="b.example")
    changed = store.edit_outlet(
        "A Paper",
        display_name="Alpha",
        colour="#ABCDEF",
        add_domains=["alpha.example"],
        groups={"leaning": "left", "type": "tabloid"},
        user="ed",
    )
    assert changed == ["display_name", "colour", "domains", "groups"]
    o = store.find_outlet("Alpha")  # found by its display name too
    assert (o["colour"], o["domains"], o["origin"]) == ("#abcdef", ["a.example", "alpha.example"], "user")
    rows = {r["action"]: r for r in store.history()}
    assert (
        rows["outlet.display_name"]["before"] == "A Paper" and rows["outlet.display_name"]["after"] == "Alpha"
    )
    assert (
        rows["outlet.groups"]["after"] == "leaning=left; type=tabloid"
        and rows["outlet.groups"]["user"] == "ed"
    )
    assert store.edit_outlet("A Paper", groups={"leaning": ""}) == ["groups"]  # "" removes a dimension
    assert store.find_outlet("A Paper")["groups"] == {"type": "tabloid"}
    assert store.edit_outlet("A Paper", display_name="Alpha") == []
    for kw, message in [
        ({"display_name": "b paper"}, "taken by the outlet 'B Paper'"),
        ({"colour": "red"}, "not a colour"),
        ({"groups": {"colour": "x"}}, "cannot be a group dimension"),
        ({"display_name": "  "}, "display name is empty"),
    ]:
        with pytest.raises(StoreError, match=message):
            store.edit_outlet("A Paper", **kw)
    with pytest.raises(StoreError, match="no outlet named"):
        store.edit_outlet("Nobody", display_name="x")


def test_an_article_edit_finds_the_outlet_by_its_display_name(store: Store) -> None:
    _add(store, 1, "A Paper", domain="a.example")
    _add(store, 2, "B Paper", domain="b.example")
    store.edit_outlet("B Paper", display_name="Bee")
    aid = next(a["id"] for a in store.event_articles(with_text=False) if a["outlet"] == "A Paper")
    assert store.edit_article(aid, outlet="bee") == ["outlet"]
    assert next(a["outlet"] for a in store.event_articles(with_text=False) if a["id"] == aid) == "B Paper"
    assert store.edit_article(aid, outlet="Brand New") == ["outlet"]
    assert store.find_outlet("Brand New")["origin"] == "user"  # made, with its own colour
    assert len(set(store.outlet_colors().values())) == 3


def test_import_adds_and_changes_never_deletes(store: Store) -> None:
    _add(store, 1, "A Paper", domain="a.example")
    _add(store, 2, "B Paper", domain="b.example")
    store.edit_outlet("B Paper", groups={"type": "tabloid"})
    edits = read_outlet_csv(
        "name,display_name,domains,colour,leaning,type\n"
        "A Paper,The A,a.example;www.a2.example,#010203,left,\n"
        "New Outlet,,new.example,,right,broadsheet\n"
    )
    counts = store.import_outlets(edits, user="importer")
    assert counts == {"added": 1, "changed": 1, "unchanged": 0}
    by_name = {o["name"]: o for o in store.outlets()}
    assert set(by_name) == {"A Paper", "B Paper", "New Outlet"}  # nothing deleted
    assert by_name["A Paper"]["display_name"] == "The A" and by_name["A Paper"]["colour"] == "#010203"
    assert by_name["A Paper"]["domains"] == ["a.example", "a2.example"]
    assert by_name["A Paper"]["groups"] == {"leaning": "left"}
    assert by_name["B Paper"]["groups"] == {"type": "tabloid"}  # not in the file: untouched
    assert by_name["New Outlet"]["groups"] == {"leaning": "right", "type": "broadsheet"}
    assert by_name["New Outlet"]["colour"] not in {by_name["A Paper"]["colour"], by_name["B Paper"]["colour"]}
    again = store.import_outlets(edits)
    assert again == {"added": 0, "changed": 0, "unchanged": 2}
    assert {r["action"] for r in store.history()} >= {"outlet.add", "outlet.groups", "outlet.colour"}


def test_import_names_each_bad_row_and_imports_nothing(store: Store) -> None:
    bad = "name,colour,domains\nGood,#000000,\nBad,#12345,\n,#000000,\nDup,,\ndup,,\nD,,not a domain\n"
    with pytest.raises(ValueError) as info:
        read_outlet_csv(bad)
    message = str(info.value)
    for part in ("row 3: bad colour '#12345'", "row 4: no name", "row 6: 'dup' is also on row 5", "row 7"):
        assert part in message
    assert "Nothing was imported" in message
    with pytest.raises(ValueError, match="no 'name' column"):
        read_outlet_csv("title,colour\nx,#000000\n")
    with pytest.raises(StoreError, match="cannot be a group dimension"):
        store.import_outlets([OutletEdit("X", groups={"Domains": "x"})])


def test_export_is_safe_against_formula_injection(store: Store) -> None:
    _add(store, 1, '=HYPERLINK("http://evil")', domain="evil.example")
    store.edit_outlet('=HYPERLINK("http://evil")', display_name="@SUM(A1)", groups={"type": "-1+2"})
    exported = outlet_csv(store.export_outlets())
    assert "'=HYPERLINK" in exported and "'@SUM(A1)" in exported and "'-1+2" in exported
    [edit] = read_outlet_csv(exported)  # and reads back as it was
    assert (edit.name, edit.display_name, dict(edit.groups)) == (
        '=HYPERLINK("http://evil")',
        "@SUM(A1)",
        {"type": "-1+2"},
    )


def test_reextraction_names_an_outlet_from_its_page_and_keeps_a_persons_choice(store: Store) -> None:
    _add(store, 1, "mag.example", domain="mag.example", outlet_source="domain")
    _add(store, 2, "mag.example", domain="mag.example", outlet_source="domain")
    first, second = sorted(a["id"] for a in store.event_articles(with_text=False))
    store.edit_article(second, outlet="Chosen Outlet")  # a person's choice for this article
    for aid in (first, second):
        page = make_article(
            f"https://mag.example/{aid}", outlet="The Magazine", domain="mag.example",
            outlet_source="page", site_name="The Magazine",
        )  # fmt: skip
        store.update_article(aid, page, None)
    by_id = {a["id"]: a["outlet"] for a in store.event_articles(with_text=False)}
    assert by_id == {first: "mag.example", second: "Chosen Outlet"}  # the keys stay
    assert store.outlet_labels()["mag.example"] == "The Magazine"  # the page's own name is shown
