-- Issue 16: no single account can forge the coalition's record.

-- Coordinators are records: a contact with role 'coordinator' that is active (or
-- unreachable) is one, whatever COORDINATOR_IDS says. How each came and went:
--   added_how:   settings (COORDINATOR_IDS at start-up), cli (coalition-bot coordinators add),
--                invitation (a single-use link, after a second coordinator's approval)
--   added_by:    the coordinator contact who asked for the invitation
--   removed_how: settings (dropped from COORDINATOR_IDS: back if the id returns there),
--                cli or bot (removed on purpose: not brought back by COORDINATOR_IDS)
-- joined_at stays NULL until a coordinator added from the settings or the CLI first writes.
ALTER TABLE contacts ADD COLUMN added_how TEXT CHECK (added_how IN ('settings', 'cli', 'invitation'));
ALTER TABLE contacts ADD COLUMN added_by INTEGER REFERENCES contacts (id);
ALTER TABLE contacts ADD COLUMN removed_how TEXT CHECK (removed_how IN ('settings', 'cli', 'bot'));
-- Coordinator contacts so far were recorded from COORDINATOR_IDS on their first update.
UPDATE contacts SET added_how = 'settings' WHERE role = 'coordinator';
CREATE INDEX contacts_coordinators ON contacts (telegram_user_id, id) WHERE role = 'coordinator';

-- A record-changing action one coordinator asked for and a second must approve.
-- params: JSON, exactly what will happen (a minor revision's new text until the request
-- ends: then only its fingerprint stays; a purge of the letter clears it all).
CREATE TABLE approvals (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN (
                        'purge', 'remove_organisation', 'rename_organisation', 'reopen',
                        'minor_revision', 'deadline_earlier', 'add_coordinator',
                        'remove_coordinator', 'approval_rule')),
    letter_id       INTEGER REFERENCES letters (id),
    organisation_id INTEGER REFERENCES organisations (id),
    contact_id      INTEGER REFERENCES contacts (id),  -- a coordinator removed, or invited
    params          TEXT NOT NULL DEFAULT '{}',
    requested_by    INTEGER NOT NULL REFERENCES contacts (id),
    requested_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
                        'pending', 'approved', 'rejected', 'expired', 'cancelled', 'failed')),
    decided_by      INTEGER REFERENCES contacts (id),
    decided_at      TEXT,
    failure         TEXT             -- the refusal's code when approval found it impossible
);
CREATE INDEX approvals_pending ON approvals (expires_at) WHERE status = 'pending';
CREATE INDEX approvals_letter ON approvals (letter_id);

-- A rename of an organisation that has responded waits for the organisation: the listed
-- name changes only when one of its contacts confirms the new one.
CREATE TABLE organisation_renames (
    id                 INTEGER PRIMARY KEY,
    organisation_id    INTEGER NOT NULL REFERENCES organisations (id),
    language           TEXT,          -- NULL: the primary name (per-language names: issue 17)
    old_name           TEXT NOT NULL,
    new_name           TEXT NOT NULL,
    requested_by       INTEGER REFERENCES contacts (id),  -- NULL: from the CLI
    requested_at       TEXT NOT NULL,
    approval_id        INTEGER REFERENCES approvals (id),
    status             TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
                           'pending', 'confirmed', 'kept', 'cancelled')),
    decided_by_contact INTEGER REFERENCES contacts (id),
    decided_at         TEXT
);
CREATE UNIQUE INDEX organisation_renames_pending
    ON organisation_renames (organisation_id, coalesce(language, '')) WHERE status = 'pending';

-- RETENTION_DAYS: coordinators are told a day before a letter's texts are purged by the
-- clock, once per closing (a letter reopened and closed again is announced again).
ALTER TABLE letters ADD COLUMN purge_announced_at TEXT;
