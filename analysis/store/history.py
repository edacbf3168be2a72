"""The append-only history: who changed what, when, before and after (corrections and event edits)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from analysis.settings import Settings, SettingsError, current_user
from analysis.store.schema import HistoryRow, _now

MAX_USER = 100  # characters of a user name kept in the history


def default_user() -> str:
    """The ``ANALYSIS_USER`` setting, else the operating-system user."""
    try:
        return current_user(Settings.from_env())
    except SettingsError:  # another setting is bad: the command reports it elsewhere
        return current_user(None)


def record(
    s: Session,
    action: str,
    *,
    user: str = "",
    event_id: int | None = None,
    article_id: int | None = None,
    subject: str = "",
    before: str = "",
    after: str = "",
) -> None:
    """Append one history row in the caller's transaction (so it commits with the change or not at all)."""
    s.add(
        HistoryRow(
            at=_now(),
            user=(" ".join(user.split()) or default_user())[:MAX_USER],
            action=action,
            event_id=event_id,
            article_id=article_id,
            subject=subject,
            before=before,
            after=after,
        )
    )


def history_dict(r: HistoryRow) -> dict:
    return {
        "id": r.id,
        "at": r.at,
        "user": r.user,
        "action": r.action,
        "event_id": r.event_id,
        "article_id": r.article_id,
        "subject": r.subject,
        "before": r.before,
        "after": r.after,
    }
