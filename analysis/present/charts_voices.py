"""Charts of who gets to speak: quoted-word share by role per outlet (one event, or all)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analysis.compare.roles import ROLES
from analysis.present.charts_common import _empty, _style, label

# One colour per role (colour-blind-safe order from the Okabe-Ito palette).
ROLE_COLORS: dict[str, str] = {
    "official": "#0072B2",
    "opposition": "#D55E00",
    "expert": "#009E73",
    "business": "#E69F00",
    "advocacy": "#CC79A7",
    "ordinary": "#56B4E9",
    "anonymous": "#000000",
    "unknown": "#999999",
}


def voice_roles_chart(
    voices: pd.DataFrame, title: str = "Who gets room: quoted words by speaker role"
) -> go.Figure:
    """Stacked bars: per outlet, the share of its quoted words given to each role."""
    if voices is None or voices.empty:
        return _empty(title, "No quotes found")
    words = voices.groupby(["outlet", "role"])["words"].sum().unstack(fill_value=0)
    shares = words.div(words.sum(axis=1).where(lambda s: s > 0), axis=0).fillna(0.0)
    fig = go.Figure()
    for role in [r for r in ROLES if r in shares.columns]:
        fig.add_bar(
            y=[label(o, 30) for o in shares.index],
            x=shares[role],
            name=role,
            orientation="h",
            marker_color=ROLE_COLORS.get(role, "#999999"),
            hovertemplate=f"{role}: %{{x:.0%}} of the quoted words<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    return _style(fig, title, 120 + 40 * len(shares), legend=True)
