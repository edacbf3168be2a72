"""Corrections: every correction of the evidence in force, the history of changes, and the
corrections as a JSON file to share with a team (export / import)."""

from __future__ import annotations

import json

import streamlit as st

from analysis.store import StoreError, dumps
from app_pages import common

MAX_UPLOAD_BYTES = 20_000_000  # a corrections file larger than this is refused
HISTORY_ROWS = 500  # newest history rows shown


def _import(data: bytes) -> None:
    try:
        parsed = json.loads(data.decode("utf-8"))
        result = common.store().import_corrections(parsed, user=common.current_user())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        st.session_state["_import_result"] = ("error", f"Not a JSON file: {exc}")
        return
    except StoreError as exc:
        st.session_state["_import_result"] = ("error", str(exc))
        return
    text = f"{result['applied']} corrections applied, {result['unchanged']} already there."
    if result["skipped"]:
        text += " Skipped: " + "; ".join(result["skipped"][:10])
    st.session_state["_import_result"] = ("warning" if result["skipped"] else "success", text)


url, version = common.current()
store = common.store()
st.html('<div style="font-size: 1.5rem; font-weight: 700;">Corrections</div>')
st.caption(
    "Words a person dismissed, restored or added as loaded, and topic words, in one article, one event or "
    "everywhere. They change the rates, charts and findings at once (the stored spans are corrected when "
    "they are compared, nothing is re-scored) and never change the shipped word lists. Make them on the "
    "Compare page (click a highlighted word) or with `python -m analysis flag ...`."
)
rows = common.corrections(url, version, None)
st.subheader(f"In force ({len(rows)})")
if rows:
    st.dataframe(
        [
            {
                "kind": r["kind"],
                "word": r["term"],
                "where": {
                    "article": f"article {r['article_id']}",
                    "event": r["event"],
                    "global": "everywhere",
                }[r["scope"]],
                "event": r["event"],
                "category": r["category"],
                "weight": r["weight"],
                "by": r["created_by"],
                "at": r["created_at"],
            }
            for r in rows
        ],
        hide_index=True,
        key="corrections-table",
    )
else:
    st.info("No corrections yet.")

with st.container(horizontal=True, gap="small", vertical_alignment="bottom"):
    st.download_button(
        "Export corrections (JSON)",
        data=dumps(store.export_corrections()),
        file_name="corrections.json",
        mime="application/json",
        on_click="ignore",
        icon=":material/download:",
        key="corrections-export",
    )
upload = st.file_uploader(
    "Import corrections (a JSON file made by Export)", type=["json"], key="corrections-file"
)
if upload is not None:
    if upload.size > MAX_UPLOAD_BYTES:
        st.error(f"The file is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB.")
    elif st.button("Import", key="corrections-import", disabled=store.read_only):
        _import(upload.getvalue())
        st.rerun()
result = st.session_state.pop("_import_result", None)
if result:
    getattr(st, result[0])(result[1])

history = store.history(limit=HISTORY_ROWS)
st.subheader(f"History ({len(history)} changes{', newest first' if history else ''})")
if history:
    st.dataframe(
        [
            {
                "when": h["at"],
                "who": h["user"],
                "what": h["action"],
                "word / event": h["subject"],
                "article": h["article_id"],
                "before": h["before"],
                "after": h["after"],
            }
            for h in history
        ],
        hide_index=True,
        key="history-table",
    )
