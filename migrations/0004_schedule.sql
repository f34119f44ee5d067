-- Scheduling (issue 6): reminders, quiet hours, auto-close reports, milestones, digests.
-- The database is the source of truth; the JobQueue only runs what these rows say is due.

-- Reminders (table from 0001) are planned as 'pending' rows, one per letter, organisation
-- and offset; the one due is claimed ('sent') or passed over ('skipped') exactly once.
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'pending';
CREATE INDEX reminders_letter ON reminders (letter_id, status);

-- A claimed reminder becomes one row per contact of the organisation, to be queued at
-- send_at: at once, or when the contact's quiet hours end. Queued into the outbox when
-- due, and only if the organisation still owes an answer then.
CREATE TABLE reminder_sends (
    id          INTEGER PRIMARY KEY,
    reminder_id INTEGER NOT NULL REFERENCES reminders (id),
    contact_id  INTEGER NOT NULL REFERENCES contacts (id),
    send_at     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'queued', 'skipped')),
    UNIQUE (reminder_id, contact_id)
);
CREATE INDEX reminder_sends_due ON reminder_sends (send_at) WHERE status = 'pending';

-- A letter closed at its deadline owes coordinators the final tally and the export:
-- 'pending' until that report went out (so a crash in between sends it at the next start).
ALTER TABLE letters ADD COLUMN close_report TEXT CHECK (close_report IN ('pending', 'sent'));
CREATE INDEX letters_open_deadline ON letters (deadline) WHERE status = 'open';

ALTER TABLE milestones ADD COLUMN created_by INTEGER;
ALTER TABLE milestones ADD COLUMN created_at TEXT;
CREATE INDEX milestones_letter ON milestones (letter_id, at);
CREATE INDEX milestones_unreminded ON milestones (at) WHERE reminded_at IS NULL;
