-- Issue 17's record-changing actions join issue 16's approvals: recording a response that
-- came by another road (record_response), publishing list N (publish) and collecting
-- additional signatories after it (collect), a minor change of a translation some
-- organisation signed (minor_translation, as minor_revision for the text). SQLite cannot change a CHECK constraint in
-- place: approvals is rebuilt with the same columns. organisation_renames references it,
-- so its rows are kept aside, the table dropped and rebuilt after (nothing else references
-- either table; publications.approval_id is a plain number).
CREATE TABLE organisation_renames_kept AS SELECT * FROM organisation_renames;
DROP TABLE organisation_renames;

CREATE TABLE approvals_new (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN (
                        'purge', 'remove_organisation', 'rename_organisation', 'reopen',
                        'minor_revision', 'deadline_earlier', 'add_coordinator',
                        'remove_coordinator', 'approval_rule',
                        'record_response', 'publish', 'collect', 'minor_translation')),
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
INSERT INTO approvals_new SELECT id, kind, letter_id, organisation_id, contact_id, params,
    requested_by, requested_at, expires_at, status, decided_by, decided_at, failure
    FROM approvals;
DROP TABLE approvals;
ALTER TABLE approvals_new RENAME TO approvals;
CREATE INDEX approvals_pending ON approvals (expires_at) WHERE status = 'pending';
CREATE INDEX approvals_letter ON approvals (letter_id);

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
INSERT INTO organisation_renames SELECT id, organisation_id, language, old_name, new_name,
    requested_by, requested_at, approval_id, status, decided_by_contact, decided_at
    FROM organisation_renames_kept;
DROP TABLE organisation_renames_kept;
CREATE UNIQUE INDEX organisation_renames_pending
    ON organisation_renames (organisation_id, coalesce(language, '')) WHERE status = 'pending';
