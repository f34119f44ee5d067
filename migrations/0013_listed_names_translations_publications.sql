-- Issue 17: organisations as listed, the person signing, responses recorded by coordinators,
-- translations, publications (list 1, 2, …) and coordinators' habits.

-- An organisation's listed name per language (en, ru, be); without one, the primary name
-- (organisations.name) is listed. name_key is membership.org_name_key(name): near-duplicate
-- checks look across every listed name (start-up recomputes it, like organisations.name_key).
CREATE TABLE organisation_names (
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    language        TEXT NOT NULL CHECK (language IN ('en', 'ru', 'be')),
    name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    name_key        TEXT NOT NULL,
    PRIMARY KEY (organisation_id, language)
);
CREATE INDEX organisation_names_key ON organisation_names (name_key);
-- Where the organisation files in every language's list (NULL: by its name), e.g. "Viasna"
-- for «Вясна».
ALTER TABLE organisations ADD COLUMN sort_key TEXT CHECK (length(sort_key) BETWEEN 1 AND 300);

-- A letter that lists "Name, Title, Organisation" asks each signer for the person signing;
-- the contact remembers it (editable), the response keeps it as it was when signed.
ALTER TABLE letters ADD COLUMN ask_signer INTEGER NOT NULL DEFAULT 0 CHECK (ask_signer IN (0, 1));
ALTER TABLE contacts ADD COLUMN signer_name TEXT;
ALTER TABLE contacts ADD COLUMN signer_title TEXT;
ALTER TABLE responses ADD COLUMN signer_name TEXT;   -- NULL after a purge
ALTER TABLE responses ADD COLUMN signer_title TEXT;

-- A response a coordinator recorded (the organisation answered by e-mail, Signal, …):
-- who recorded it, the road it came by and a short note (NULL after a purge). All NULL for
-- an answer given in the bot, which replaces a recorded one.
ALTER TABLE responses ADD COLUMN recorded_by INTEGER REFERENCES contacts (id);
ALTER TABLE responses ADD COLUMN channel TEXT CHECK (
    (channel IS NULL AND recorded_by IS NULL)
    OR (channel IN ('email', 'signal', 'in_person', 'phone', 'other') AND recorded_by IS NOT NULL));
ALTER TABLE responses ADD COLUMN note TEXT CHECK (note IS NULL OR recorded_by IS NOT NULL);

-- A version's text in another language than the letter's (letters.language is authoritative).
-- Set when the version is made and never changed: a changed translation is a new version.
CREATE TABLE translations (
    id          INTEGER PRIMARY KEY,
    version_id  INTEGER NOT NULL REFERENCES versions (id),
    language    TEXT NOT NULL CHECK (language IN ('en', 'ru', 'be')),
    body        TEXT,           -- NULL after a purge
    fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 8),
    source_kind TEXT NOT NULL DEFAULT 'text' CHECK (source_kind IN ('text', 'txt', 'md', 'docx')),
    file_id     TEXT,           -- Telegram file id of an uploaded translation
    file_name   TEXT,
    created_by  INTEGER,
    created_at  TEXT NOT NULL,
    UNIQUE (version_id, language)
);

-- /copyletter: the organisations the letter it was copied from went to, to circulate to
-- (a draft has no letter_organisations until it is circulated).
ALTER TABLE letters ADD COLUMN copied_from INTEGER REFERENCES letters (id);
CREATE TABLE planned_organisations (
    letter_id       INTEGER NOT NULL REFERENCES letters (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (letter_id, organisation_id)
);

-- List N of a letter: a frozen snapshot, so its files can be made again byte for byte
-- (same text, same names, same order, same date) whatever changes afterwards.
CREATE TABLE publications (
    id           INTEGER PRIMARY KEY,
    letter_id    INTEGER NOT NULL REFERENCES letters (id),
    number       INTEGER NOT NULL CHECK (number >= 1),
    version_id   INTEGER NOT NULL REFERENCES versions (id),
    title        TEXT,          -- as published; NULL after a purge
    timezone     TEXT NOT NULL, -- the zone its date is given in (the letter's)
    published_at TEXT NOT NULL,
    published_by INTEGER REFERENCES contacts (id),  -- the coordinator; NULL from the terminal
    approval_id  INTEGER,       -- the second coordinator's approval (issue 16), if any
    UNIQUE (letter_id, number)
);
CREATE TABLE publication_signatories (
    publication_id   INTEGER NOT NULL REFERENCES publications (id),
    organisation_id  INTEGER NOT NULL REFERENCES organisations (id),
    listing          TEXT NOT NULL CHECK (listing IN ('named', 'anonymous')),
    version_id       INTEGER NOT NULL REFERENCES versions (id),  -- the version it signed
    name             TEXT NOT NULL,  -- the primary name then
    name_en          TEXT NOT NULL,  -- the listed names then (the primary one where none)
    name_ru          TEXT NOT NULL,
    name_be          TEXT NOT NULL,
    sort_key         TEXT,
    signer_name      TEXT,           -- the person signing; NULL after a purge
    signer_title     TEXT,
    recorded_by      INTEGER REFERENCES contacts (id),
    recorded_by_name TEXT,           -- NULL after a purge
    channel          TEXT CHECK (channel IN ('email', 'signal', 'in_person', 'phone', 'other')),
    PRIMARY KEY (publication_id, organisation_id)
);
-- The files made of a list, per language: their digest (made again, they must match) and,
-- once Telegram has one, the file id the PDF goes to members with.
CREATE TABLE publication_files (
    publication_id INTEGER NOT NULL REFERENCES publications (id),
    language       TEXT NOT NULL CHECK (language IN ('en', 'ru', 'be')),
    kind           TEXT NOT NULL CHECK (kind IN ('pdf', 'docx', 'md', 'csv')),
    file_name      TEXT NOT NULL,   -- ids only: list-4-1-en.pdf
    sha256         TEXT NOT NULL CHECK (length(sha256) = 64),
    file_id        TEXT,            -- NULL after a purge
    PRIMARY KEY (publication_id, language, kind)
);

-- /notify: told of each response as it comes, or only in the daily digest (as before).
ALTER TABLE contacts ADD COLUMN notify TEXT NOT NULL DEFAULT 'digest'
    CHECK (notify IN ('each', 'digest'));
