"""Store queries for speaker roles the user has set (the Voices views and ``voices --set-role``)."""

from __future__ import annotations

from sqlalchemy import delete, select

from analysis.store.engine import Connection
from analysis.store.errors import StoreError
from analysis.store.schema import SpeakerRoleRow, _now

MAX_SPEAKER_CHARS = 300


class VoiceQueries(Connection):
    """User overrides of speaker roles: speaker -> role."""

    def speaker_roles(self) -> dict[str, str]:
        """Every role the user has set, by speaker name as given."""
        with self.session() as s:
            return {
                r.speaker: r.role for r in s.scalars(select(SpeakerRoleRow).order_by(SpeakerRoleRow.speaker))
            }

    def set_speaker_role(self, speaker: str, role: str | None) -> None:
        """Set (or with ``role=None`` clear) the user's role for ``speaker`` (matched ignoring case)."""
        speaker = " ".join(speaker.split())
        if not speaker or len(speaker) > MAX_SPEAKER_CHARS:
            raise StoreError(f"a speaker name must have 1 to {MAX_SPEAKER_CHARS} characters")
        key = speaker.casefold()
        with self.session() as s:
            if role is None:
                s.execute(delete(SpeakerRoleRow).where(SpeakerRoleRow.speaker_key == key))
                return
            row = s.get(SpeakerRoleRow, key)
            if row is None:
                s.add(SpeakerRoleRow(speaker_key=key, speaker=speaker, role=role, updated_at=_now()))
            else:
                row.speaker, row.role = speaker, role
