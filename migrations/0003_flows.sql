-- Guided conversations (/newletter, /revise, comments, decline reasons) survive a restart:
-- their state lives here, not in memory. One active flow per Telegram account.
CREATE TABLE flows (
    telegram_user_id INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,   -- JSON, may hold a draft text until the flow ends
    started_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
