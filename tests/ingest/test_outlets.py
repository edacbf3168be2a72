"""Outlets: registered domains (offline tldextract) and display names from data/outlets.csv."""

from __future__ import annotations

import csv
import logging
import socket
from pathlib import Path

import pytest

from analysis.ingest import outlets
from analysis.ingest.outlets import Outlet, domain_for_name, load_outlets, outlet_name, registered_domain


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://www.bbc.co.uk/news/uk-12345678", "bbc.co.uk"),
        ("www.bbc.co.uk", "bbc.co.uk"),
        ("WWW.BBC.CO.UK.", "bbc.co.uk"),
        ("http://news.sky.com:8080/story?id=1", "sky.com"),
        ("https://edition.cnn.com/2024/01/01/politics/x/index.html", "cnn.com"),
        ("smh.com.au", "smh.com.au"),
        (
            "https://news.example-daily.test/a",
            "example-daily.test",
        ),  # suffix not in the list: last two labels
        ("http://127.0.0.1:8000/page", "127.0.0.1"),
        ("localhost", "localhost"),
        ("http://[::1]:8000/a", "::1"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_registered_domain(given: str, expected: str) -> None:
    assert registered_domain(given) == expected


def test_outlet_name() -> None:
    assert outlet_name("bbc.co.uk") == "BBC"
    assert outlet_name("www.bbc.co.uk") == "BBC"
    assert outlet_name("https://www.theguardian.com/world/2016/oct/11/x") == "The Guardian"
    assert outlet_name("unknown-paper.test") == "unknown-paper.test"  # no invented name
    assert outlet_name("https://www.unknown-paper.test/x") == "unknown-paper.test"
    assert domain_for_name("the guardian") == "theguardian.com"
    assert domain_for_name("No Such Outlet") is None


def test_bundled_table_is_sane() -> None:
    with (outlets.OUTLETS_CSV).open(newline="", encoding="utf-8") as fh:
        lines = [line for line in fh if not line.startswith("#")]
        rows = list(csv.DictReader(lines))
    assert list(rows[0]) == ["domain", "name", "type", "country"]
    assert len(rows) >= 40
    domains = [r["domain"] for r in rows]
    assert len(domains) == len(set(domains))
    for row in rows:
        assert registered_domain(row["domain"]) == row["domain"], row
        assert row["name"].strip() == row["name"] and row["name"]
        # only plain facts are shipped: no leaning or bias rating (users import their own)
        assert row["type"] in ("", "wire agency", "public broadcaster"), row
        assert row["country"] == "" or (len(row["country"]) == 2 and row["country"].isupper()), row
    table = load_outlets(outlets.OUTLETS_CSV)
    assert table["apnews.com"].dimensions == {"type": "wire agency", "country": "US"}
    assert table["bbc.co.uk"].dimensions["type"] == "public broadcaster"
    assert table["reuters.com"].dimensions == {"type": "wire agency"}  # no plain single country
    assert "no bias" in outlets.OUTLETS_CSV.read_text("utf-8").lower()


def test_any_number_of_dimensions_and_the_older_group_column(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    path.write_text(
        "# a comment line\ndomain,name,leaning,type\na.test,A,left,tabloid\nb.test,B,,\n", encoding="utf-8"
    )
    table = load_outlets(path)
    assert table["a.test"].dimensions == {"leaning": "left", "type": "tabloid"}
    assert table["b.test"].dimensions == {}
    old = load_outlets(_write(tmp_path / "old.csv", [("c.test", "C", "wire")]))
    assert old["c.test"].group == "wire" and old["c.test"].dimensions == {"group": "wire"}


def _write(path: Path, rows: list[tuple[str, str, str]], header: str = "domain,name,group") -> Path:
    path.write_text(header + "\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_load_outlets_from_a_file(tmp_path: Path) -> None:
    table = load_outlets(
        _write(
            tmp_path / "o.csv", [("Paper.TEST", " The Paper ", "left"), ("", "x", ""), ("b.test", "B", "")]
        )
    )
    assert table == {
        "paper.test": Outlet("paper.test", "The Paper", "left", (("group", "left"),)),
        "b.test": Outlet("b.test", "B", ""),
    }
    with pytest.raises(ValueError, match="missing column"):
        load_outlets(_write(tmp_path / "bad.csv", [("a.test", "A")], header="host,title"))


def test_demo_table_is_loaded_after_the_main_one(tmp_path: Path, monkeypatch) -> None:
    main = _write(tmp_path / "outlets.csv", [("bbc.co.uk", "BBC", ""), ("clash.test", "Main name", "")])
    demo_dir = tmp_path / "demo"
    demo_dir.mkdir()
    demo = _write(
        demo_dir / "outlets.csv",
        [("daily-demo.example", "The Daily Demo", "group A"), ("clash.test", "Demo name", "")],
    )
    monkeypatch.setattr(outlets, "OUTLETS_CSV", main)
    monkeypatch.setattr(outlets, "DEMO_OUTLETS_CSV", demo)
    table = load_outlets()
    assert table["bbc.co.uk"].name == "BBC"
    assert table["daily-demo.example"] == Outlet(
        "daily-demo.example", "The Daily Demo", "group A", (("group", "group A"),)
    )
    assert table["clash.test"].name == "Demo name"
    monkeypatch.setattr(outlets, "DEMO_OUTLETS_CSV", tmp_path / "absent.csv")
    assert "daily-demo.example" not in load_outlets()


def test_registered_domain_never_touches_the_network(monkeypatch, caplog) -> None:
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    outlets._extractor.cache_clear()  # build a fresh extractor under the guard
    with caplog.at_level(logging.DEBUG):
        assert registered_domain("https://www.bbc.co.uk/news") == "bbc.co.uk"
        assert registered_domain("a.b.c.example.com.au") == "example.com.au"
    assert attempts == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
