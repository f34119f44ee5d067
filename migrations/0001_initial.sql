-- Coalition Bot: the first schema. Later changes come as new numbered files;
-- never edit this one once applied (start-up checks its checksum).
-- Times are UTC ISO-8601 strings 'YYYY-MM-DDTHH:MM:SS+00:00' (they sort as text).

CREATE TABLE organisations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),  -- exactly as listed
    name_key    TEXT NOT NULL,      -- case- and space-insensitive form for duplicate checks
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
    created_at  TEXT NOT NULL,
    removed_at  TEXT
);
CREATE UNIQUE INDEX organisations_active_name ON organisations (name_key) WHERE status = 'active';

-- A contact is one Telegram account: a member of an organisation, or a coordinator.
CREATE TABLE contacts (
    id               INTEGER PRIMARY KEY,
    role             TEXT NOT NULL CHECK (role IN ('member', 'coordinator')),
    organisation_id  INTEGER REFERENCES organisations (id),
    telegram_user_id INTEGER,       -- NULL until the invite is used
    display_name     TEXT,          -- from Telegram at join time; no phone numbers, ever
    label            TEXT,          -- the coordinator's note from /invite
    language         TEXT NOT NULL DEFAULT 'en',
    timezone         TEXT,          -- NULL: the bot's TIMEZONE
    quiet_start      TEXT,          -- 'HH:MM' in the contact's zone; NULL: the default
    quiet_end        TEXT,
    status           TEXT NOT NULL CHECK (status IN ('invited', 'active', 'unreachable', 'removed')),
    created_at       TEXT NOT NULL,
    joined_at        TEXT,
    removed_at       TEXT,
    CHECK ((role = 'member') = (organisation_id IS NOT NULL))
);
-- One live binding per Telegram account.
CREATE UNIQUE INDEX contacts_live_account ON contacts (telegram_user_id)
    WHERE telegram_user_id IS NOT NULL AND status IN ('active', 'unreachable');
CREATE INDEX contacts_organisation ON contacts (organisation_id, status);

-- The token itself is never stored: only its SHA-256.
CREATE TABLE invites (
    id          INTEGER PRIMARY KEY,
    contact_id  INTEGER NOT NULL REFERENCES contacts (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_by  INTEGER,            -- coordinator's Telegram id; NULL from the terminal
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER,            -- Telegram id that took it
    revoked_at  TEXT
);

CREATE TABLE letters (
    id               INTEGER PRIMARY KEY,
    title            TEXT,          -- NULL after a purge
    status           TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    language         TEXT NOT NULL DEFAULT 'en',
    deadline         TEXT NOT NULL,
    timezone         TEXT NOT NULL, -- the zone the deadline was set in
    reminder_offsets TEXT,          -- e.g. '7d,3d,1d,3h'; NULL: REMINDER_OFFSETS
    created_by       INTEGER,
    created_at       TEXT NOT NULL,
    opened_at        TEXT,
    closed_at        TEXT,
    purged_at        TEXT
);

-- Which organisations a letter was circulated to.
CREATE TABLE letter_organisations (
    letter_id       INTEGER NOT NULL REFERENCES letters (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    added_at        TEXT NOT NULL,
    PRIMARY KEY (letter_id, organisation_id)
);

-- Versions are immutable; only a purge blanks the body.
CREATE TABLE versions (
    id               INTEGER PRIMARY KEY,
    letter_id        INTEGER NOT NULL REFERENCES letters (id),
    number           INTEGER NOT NULL CHECK (number >= 1),
    body             TEXT,          -- NULL after a purge
    fingerprint      TEXT NOT NULL CHECK (length(fingerprint) = 8),
    material         INTEGER NOT NULL DEFAULT 1 CHECK (material IN (0, 1)),
    source_kind      TEXT NOT NULL DEFAULT 'text' CHECK (source_kind IN ('text', 'txt', 'md', 'docx')),
    source_file_id   TEXT,          -- Telegram file id of an uploaded draft
    source_file_name TEXT,
    created_by       INTEGER,
    created_at       TEXT NOT NULL,
    UNIQUE (letter_id, number)
);

-- One current response per organisation and letter; history is in audit_events.
CREATE TABLE responses (
    id              INTEGER PRIMARY KEY,
    letter_id       INTEGER NOT NULL REFERENCES letters (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    decision        TEXT NOT NULL CHECK (decision IN ('signed', 'declined', 'withdrawn')),
    version_id      INTEGER REFERENCES versions (id),
    listing         TEXT CHECK (listing IN ('named', 'anonymous', 'internal')),
    reason          TEXT,
    contact_id      INTEGER REFERENCES contacts (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (letter_id, organisation_id),
    CHECK ((decision = 'signed') = (listing IS NOT NULL AND version_id IS NOT NULL))
);

CREATE TABLE comments (
    id              INTEGER PRIMARY KEY,
    letter_id       INTEGER NOT NULL REFERENCES letters (id),
    version_id      INTEGER NOT NULL REFERENCES versions (id),
    organisation_id INTEGER REFERENCES organisations (id),
    contact_id      INTEGER REFERENCES contacts (id),
    parent_id       INTEGER REFERENCES comments (id),  -- a coordinator's reply
    author_role     TEXT NOT NULL CHECK (author_role IN ('member', 'coordinator')),
    body            TEXT,           -- NULL after a purge
    created_at      TEXT NOT NULL
);
CREATE INDEX comments_letter ON comments (letter_id, version_id);

-- A broadcast groups the deliveries of one circulation, revision notice or reminder run.
CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    letter_id           INTEGER REFERENCES letters (id),
    kind                TEXT NOT NULL,
    requested_by        INTEGER,    -- coordinator's chat for the progress message
    progress_message_id INTEGER,
    created_at          TEXT NOT NULL,
    finished_at         TEXT
);

-- The outbox: every outgoing broadcast message is stored before it is sent.
CREATE TABLE deliveries (
    id                  INTEGER PRIMARY KEY,
    broadcast_id        INTEGER REFERENCES broadcasts (id),
    contact_id          INTEGER REFERENCES contacts (id),
    chat_id             INTEGER NOT NULL,
    letter_id           INTEGER REFERENCES letters (id),
    kind                TEXT NOT NULL,   -- summary, fulltext, file, notice, reminder, ...
    payload             TEXT NOT NULL,   -- JSON: method and parameters; '{}' after a purge
    dedupe_key          TEXT UNIQUE,     -- makes queueing idempotent across crashes
    status              TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'uncertain', 'failed', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          TEXT,
    telegram_message_id INTEGER,
    error               TEXT,
    created_at          TEXT NOT NULL,
    sent_at             TEXT,
    delete_after        TEXT,            -- DRAFT_TTL: remove from the member's chat then
    deleted_at          TEXT
);
CREATE INDEX deliveries_queue ON deliveries (status, not_before, id);
CREATE INDEX deliveries_letter ON deliveries (letter_id, contact_id);
CREATE INDEX deliveries_to_delete ON deliveries (delete_after) WHERE delete_after IS NOT NULL AND deleted_at IS NULL;

-- A reminder is claimed once per letter, organisation and offset.
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    letter_id       INTEGER NOT NULL REFERENCES letters (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    offset_seconds  INTEGER NOT NULL,
    due_at          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped')),
    claimed_at      TEXT,
    UNIQUE (letter_id, organisation_id, offset_seconds)
);

CREATE TABLE milestones (
    id          INTEGER PRIMARY KEY,
    letter_id   INTEGER NOT NULL REFERENCES letters (id),
    name        TEXT NOT NULL,
    at          TEXT NOT NULL,
    reminded_at TEXT
);

-- Append-only and hash-chained: hash = SHA-256(prev_hash || canonical event).
CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,       -- 'coordinator:<tg id>', 'contact:<id>', 'system', 'cli'
    action          TEXT NOT NULL,
    letter_id       INTEGER,
    organisation_id INTEGER,
    contact_id      INTEGER,
    data            TEXT NOT NULL DEFAULT '{}',
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_events_letter ON audit_events (letter_id, id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Small durable facts of the running bot (e.g. when the last digest went out).
CREATE TABLE bot_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
