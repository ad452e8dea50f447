"""moderation_actions.reason_code: the bot's own reasons as codes, rendered per reader

A reason the bot gave used to be stored as text in the language of the moderator who pressed the
button (a Russian moderator upholding a report stored "сообщение с жалобой"), and every reader saw
that language. Now the bot's reasons are codes (bot/domain/conduct/reasons.py) in ``reason_code``,
and ``reason`` keeps only what a moderator typed.

Existing sanctions whose ``reason`` is the text of a code in any shipped language get the code and
lose the text. The texts are frozen here, as every catalog has ever shipped them, so this migration
means the same whatever the catalogs say later. Downgrading writes the English text back.

Revision ID: 0005r
Revises: 0005a
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005r"
down_revision: str | Sequence[str] | None = "0005a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# code -> every text it was stored as: the English msgid, then each locale's translation.
FROZEN_TEXTS: dict[str, dict[str, str]] = {
    "reported_message": {
        "en": "reported message",
        "ru": "сообщение с жалобой",
        "uk": "повідомлення зі скаргою",
        "ar": "رسالة مُبلَّغ عنها",
        "he": "הודעה שדווחה",
        "tr": "şikâyet edilen mesaj",
        "el": "μήνυμα που αναφέρθηκε",
        "hy": "ահազանգված հաղորդագրություն",
        "az": "şikayət edilən mesaj",
    },
}
# Only sanctions ever carried these texts (a report upheld with Warn, Mute 1h or Remove).
SANCTIONS = ("warn", "mute", "kick", "ban")

actions = sa.table(
    "moderation_actions",
    sa.column("action", sa.String),
    sa.column("reason", sa.String),
    sa.column("reason_code", sa.String),
)


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN: no table copy on SQLite, so no cascades to excerpts/appeals.
    op.add_column("moderation_actions", sa.Column("reason_code", sa.String(40), nullable=True))
    for code, texts in FROZEN_TEXTS.items():
        op.execute(
            actions.update()
            .where(
                actions.c.reason_code.is_(None),
                actions.c.action.in_(SANCTIONS),
                actions.c.reason.in_(sorted(set(texts.values()))),
            )
            .values(reason_code=code, reason=None)
        )


def downgrade() -> None:
    for code, texts in FROZEN_TEXTS.items():
        op.execute(
            actions.update()
            .where(actions.c.reason_code == code, actions.c.reason.is_(None))
            .values(reason=texts["en"])
        )
    # Native DROP COLUMN (SQLite 3.35+): a batch copy would cascade-delete excerpts and appeals.
    op.drop_column("moderation_actions", "reason_code")
