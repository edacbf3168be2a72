"""Manage outlets: display names, domains, group dimensions and colours; CSV import and export.

Every save is a person's edit: written to the history, and the program never renames that outlet
again.  Nothing here deletes an outlet.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from analysis.outlet_table import OutletCsvError, outlet_csv, read_outlet_csv
from analysis.store import StoreError
from app_pages import common

MAX_UPLOAD_MB = 20  # an outlet file larger than this is refused
BASE = ["name", "display_name", "domains", "colour"]
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"


def _say(kind: str, text: str) -> None:
    st.session_state["_outlet_message"] = (kind, text)


def _text(value: object) -> str:
    """A table cell as text ("" for an empty cell, which pandas may give as None or NaN)."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _domains(text: object) -> list[str]:
    return [d.strip() for d in _text(text).split(";") if d.strip()]


def _edit(name: str, shown: dict[str, str], wanted: dict[str, str], dims: list[str]) -> list[str]:
    """Save the fields a person changed from what the page showed (``shown``), only those: an edit
    made meanwhile in another session to another field is kept, not overwritten."""
    changed = {k for k in wanted if _text(wanted[k]).strip() != _text(shown.get(k)).strip()}
    if not changed:
        return []
    return common.store().edit_outlet(
        name,
        display_name=wanted["display_name"] if "display_name" in changed else None,
        colour=wanted["colour"] if "colour" in changed else None,
        domains=_domains(wanted["domains"]) if "domains" in changed else None,
        groups={d: _text(wanted[d]) for d in dims if d in changed},
        user=common.current_user(),
    )


def _save_one(name: str, shown: dict[str, str]) -> None:
    """The form under the table: one outlet, with a colour picker."""
    dims = st.session_state.get("_outlet_dims", [])
    wanted = {
        "display_name": _text(st.session_state.get(f"om-display-{name}")),
        "colour": _text(st.session_state.get(f"om-colour-{name}")),
        "domains": _text(st.session_state.get(f"om-domains-{name}")),
        **{d: _text(st.session_state.get(f"om-group-{name}-{d}")) for d in dims},
    }
    try:
        changed = _edit(name, shown, wanted, dims)
    except StoreError as exc:
        _say("error", str(exc))
        return
    _say("success", f"{name}: changed {', '.join(changed)}" if changed else f"{name}: nothing changed")


def _save_table(before: pd.DataFrame, after: pd.DataFrame, dims: list[str]) -> None:
    """Apply every row the table editor changed (one history row per changed field)."""
    done: list[str] = []
    fields = ["display_name", "domains", "colour", *dims]
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows(), strict=True):
        try:
            changed = _edit(
                old["name"], {f: _text(old[f]) for f in fields}, {f: _text(new[f]) for f in fields}, dims
            )
        except StoreError as exc:
            saved = f" (saved before it: {', '.join(done)})" if done else ""
            _say("error", f"{old['name']}: {exc}{saved}")
            return
        if changed:
            done.append(old["name"])
    _say("success", f"Saved {len(done)} outlet(s): {', '.join(done)}" if done else "Nothing changed.")
    st.session_state["_outlet_editor"] = st.session_state.get("_outlet_editor", 0) + 1  # a fresh editor


def _import(data: bytes) -> None:
    try:
        edits = read_outlet_csv(data.decode("utf-8-sig"))
        counts = common.store().import_outlets(edits, user=common.current_user())
    except UnicodeDecodeError:
        _say("error", "The file is not UTF-8 text.")
        return
    except (OutletCsvError, StoreError) as exc:
        _say("error", str(exc))
        return
    _say(
        "success",
        f"Imported: {counts['added']} outlets added, {counts['changed']} changed, "
        f"{counts['unchanged']} unchanged (nothing is deleted).",
    )


st.html('<div style="font-size: 1.5rem; font-weight: 700;">Manage outlets</div>')
st.caption(
    "The name on the left is the outlet as stored on its articles; the display name is what every "
    "chart and table shows. Groups (any dimensions: leaning, type, country, ownership …) drive the "
    "blindspots on the Outlets page. Only plain facts are shipped (wire agency, public broadcaster, "
    "country); no bias ratings — import your own. Each outlet keeps its colour: a new outlet never "
    "repaints another."
)
message = st.session_state.pop("_outlet_message", None)
if message:
    (st.error if message[0] == "error" else st.success)(common.md_escape(message[1]))

store = common.store()
outlets = store.outlets()
dims = sorted({d for o in outlets for d in o["groups"]} | set(st.session_state.get("_extra_dims", [])))
st.session_state["_outlet_dims"] = dims
if not outlets:
    st.info("No outlets yet: they appear with their first article, or import a CSV file below.")

if outlets:
    table = pd.DataFrame(
        [
            {
                "name": o["name"],
                "display_name": o["display_name"],
                "domains": "; ".join(o["domains"]),
                "colour": o["colour"],
                **{d: o["groups"].get(d, "") for d in dims},
                "origin": o["origin"],
                "articles": o["articles"],
            }
            for o in outlets
        ]
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        num_rows="fixed",
        disabled=["name", "origin", "articles"],
        column_config={
            "name": st.column_config.TextColumn("Name (stored)", width="medium"),
            "display_name": st.column_config.TextColumn("Display name", width="medium", required=True),
            "domains": st.column_config.TextColumn("Domains (a; b)", width="medium"),
            "colour": st.column_config.TextColumn("Colour", validate=COLOUR_PATTERN, width="small"),
            **{d: st.column_config.TextColumn(d, width="small") for d in dims},
            "origin": st.column_config.TextColumn("Named by", width="small"),
            "articles": st.column_config.NumberColumn("Articles", width="small"),
        },
        key=f"outlet-editor-{st.session_state.get('_outlet_editor', 0)}",
    )
    swatches = " ".join(
        f'<span style="display:inline-block;margin:2px 10px 2px 0;">'
        f'<span style="display:inline-block;width:12px;height:12px;border-radius:2px;'
        f'background:{o["colour"]};vertical-align:middle;"></span> {html.escape(o["display_name"])}</span>'
        for o in outlets
    )
    st.html(f'<div style="font-size:0.85rem;">{swatches}</div>')
    row = st.container(horizontal=True, gap="small")
    if row.button("Save table", type="primary", key="om-save-table", icon=":material/save:"):
        _save_table(table, edited, dims)
        st.rerun()
    new_dim = row.text_input(
        "New group dimension",
        placeholder="new dimension, e.g. leaning",
        key="om-new-dim",
        label_visibility="collapsed",
        width=280,
    )
    if row.button("Add dimension", key="om-add-dim", icon=":material/add:") and new_dim.strip():
        st.session_state["_extra_dims"] = [
            *st.session_state.get("_extra_dims", []),
            " ".join(new_dim.split()),
        ]
        st.rerun()

    st.subheader("One outlet")
    names = [o["name"] for o in outlets]
    by_name = {o["name"]: o for o in outlets}
    pick = st.selectbox(
        "Outlet",
        names,
        format_func=lambda n: f"{by_name[n]['display_name']} ({n})" if by_name[n]["display_name"] != n else n,
        key="om-pick",
        width=420,
    )
    if pick:
        o = by_name[pick]
        with st.container(horizontal=True, gap="medium"):
            st.text_input("Display name", value=o["display_name"], key=f"om-display-{pick}", max_chars=200)
            st.text_input("Domains (a; b)", value="; ".join(o["domains"]), key=f"om-domains-{pick}")
            st.color_picker("Colour", value=o["colour"], key=f"om-colour-{pick}")
        if dims:
            with st.container(horizontal=True, gap="medium"):
                for d in dims:
                    st.text_input(d, value=o["groups"].get(d, ""), key=f"om-group-{pick}-{d}", width=200)
        shown = {
            "display_name": o["display_name"],
            "colour": o["colour"],
            "domains": "; ".join(o["domains"]),
            **{d: o["groups"].get(d, "") for d in dims},
        }
        st.button(
            "Save outlet",
            key=f"om-save-{pick}",
            on_click=_save_one,
            args=(pick, shown),
            icon=":material/save:",
        )

st.subheader("Import and export")
st.caption(
    "CSV columns: name, display_name, domains (separated by ;), colour (#rrggbb), then one column per "
    "group dimension; any other column becomes a dimension. An import adds and changes outlets, never "
    "deletes one; an empty cell changes nothing. Rows with problems are named and nothing is imported."
)
left, right = st.columns(2, gap="medium")
with left:
    upload = st.file_uploader("Outlet CSV", type=["csv"], key="om-upload", max_upload_size=MAX_UPLOAD_MB)
    if upload is not None and st.button("Import", key="om-import", icon=":material/upload:"):
        _import(upload.getvalue())
        st.rerun()
with right:
    st.download_button(
        "Export outlets (CSV)",
        data=outlet_csv(store.export_outlets()) if outlets else "name,display_name,domains,colour\n",
        file_name="outlets.csv",
        mime="text/csv",
        key="om-export",
        icon=":material/download:",
        on_click="ignore",
    )
