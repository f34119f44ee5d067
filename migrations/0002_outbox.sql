-- The outbox sender (issue 4): why a delivery did not arrive, and deletion bookkeeping.

-- Why a delivery was not (or maybe not) delivered, for reports; NULL while pending or once sent.
--   unreachable: Forbidden (blocked the bot or never opened it), and what that cancelled
--   rejected:    BadRequest, Telegram refused this message; never retried
--   network:     gave up after repeated network errors
--   timed_out:   Telegram did not answer in time; it may have arrived (status 'uncertain')
--   interrupted: the bot stopped in the middle of the request (status 'uncertain')
--   removed:     the contact lost access before the message went out
--   purged:      the letter was purged before the message went out
ALTER TABLE deliveries ADD COLUMN reason TEXT CHECK (reason IN (
    'unreachable', 'rejected', 'network', 'timed_out', 'interrupted', 'removed', 'purged'));

-- DRAFT_TTL: Telegram refused the deletion (e.g. past its 48-hour window); never retried.
ALTER TABLE deliveries ADD COLUMN delete_error TEXT;

-- The sender takes each chat's deliveries in order, and counts a broadcast's by status.
CREATE INDEX deliveries_chat_queue ON deliveries (chat_id, id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_broadcast ON deliveries (broadcast_id, status);
CREATE INDEX broadcasts_unfinished ON broadcasts (id) WHERE finished_at IS NULL;
