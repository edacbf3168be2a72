"""HTML fragments of the Compare page: the plain-language findings and an outlet's omission lists.
Every piece of web text is escaped (``escape_text``) before markup is added."""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.present.highlight import escape_text

if TYPE_CHECKING:
    from analysis.compare.omissions import OutletOmissions

OMISSION_HEIGHT = 360  # pixels of an outlet's unique/left-out lists before they scroll
KIND_COLORS = {"quote": "#8250df", "number": "#0969da", "name": "#9a6700", "statement": "#57606a"}


def findings_html(found: dict[str, list[str]]) -> str:
    blocks = []
    for key, heading in (
        ("negative", "Who was more negative?"),
        ("loaded", "Who used more loaded language?"),
        ("caveats", "Caveats"),
    ):
        items = found.get(key) or []
        if not items:
            continue
        lis = "".join(f"<li>{escape_text(s)}</li>" for s in items)
        color = "#9a6700" if key == "caveats" else "#1f2328"
        blocks.append(
            f'<div style="font-weight: 600; margin-top: 4px;">{heading}</div>'
            f'<ul style="margin: 2px 0 6px 18px; padding: 0; color: {color};">{lis}</ul>'
        )
    return '<div style="font-size: 0.88rem; line-height: 1.4;">' + "".join(blocks) + "</div>"


def _kind_badge(kind: str) -> str:
    color = KIND_COLORS.get(kind, "#57606a")
    return (
        f'<span style="flex: none; min-width: 62px; font-size: 0.72rem; color: {color}; '
        f"border: 1px solid {color}; border-radius: 8px; padding: 0 5px; "
        f'text-align: center;">{escape_text(kind)}</span>'
    )


def omissions_html(om: OutletOmissions) -> str:
    """What only this outlet reports and what it leaves out, as escaped HTML lists."""
    # Flex rows: a long sentence wraps beside its badge, not under it.
    li = 'style="margin: 0 0 5px 0; list-style: none; display: flex; align-items: baseline; gap: 6px;"'
    parts = [
        f'<div style="font-size: 0.86rem; line-height: 1.35; max-height: {OMISSION_HEIGHT}px; '
        'overflow-y: auto;">'
    ]
    parts.append(
        f'<div style="font-weight: 600; margin: 2px 0 4px;">Only this outlet ({om.n_unique} of '
        f"{om.n_sentences} statements)</div>"
    )
    if om.unique.empty:
        parts.append('<div style="color: #666;">Nothing: every statement is carried by another outlet.</div>')
    else:
        items = "".join(
            f"<li {li}>{_kind_badge(k)}<span>{escape_text(sent)}</span></li>"
            for k, sent in zip(om.unique["kind"], om.unique["sentence"], strict=True)
        )
        parts.append(f'<ul style="margin: 0; padding: 0;">{items}</ul>')
    parts.append(
        f'<div style="font-weight: 600; margin: 10px 0 4px;">Left out: carried by most others '
        f"({len(om.missing)})</div>"
    )
    if om.missing.empty:
        parts.append('<div style="color: #666;">Nothing that most of the other outlets carry.</div>')
    else:
        items = "".join(
            f"<li {li}>{_kind_badge(k)}<span>{escape_text(rep)} "
            f'<span style="color: #666;">— {escape_text(", ".join(outs))}</span></span></li>'
            for k, rep, outs in zip(
                om.missing["kind"], om.missing["representative"], om.missing["outlets"], strict=True
            )
        )
        parts.append(f'<ul style="margin: 0; padding: 0;">{items}</ul>')
    if om.missing_numbers:
        parts.append(
            '<div style="margin-top: 8px;"><span style="font-weight: 600;">Figures the others report and '
            f"it does not:</span> {escape_text(', '.join(om.missing_numbers))}</div>"
        )
    parts.append("</div>")
    return "".join(parts)
