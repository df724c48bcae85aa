-- Webhooks (see webhooks): where admins want to hear about tokens, and every delivery, queued in
-- the same transaction as the change it tells of, so none is lost to a crash or a restart. Times
-- are milliseconds since the Unix epoch.
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT    NOT NULL,
    -- What signs each body (HMAC-SHA256). Kept as given: a digest could not sign.
    secret     TEXT    NOT NULL,
    -- The events it takes, space-separated with a space before and after each: ' token.revoked '.
    events     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event           TEXT    NOT NULL,
    -- The JSON body, as signed and sent. Never a token's value.
    payload         TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- When to try (again); NULL once delivered or given up.
    next_attempt_at INTEGER,
    -- An instance sending it holds it until then, so that two instances do not both send it.
    claimed_until   INTEGER NOT NULL DEFAULT 0,
    delivered_at    INTEGER,
    -- The last attempt's HTTP status, or why it had none.
    last_status     INTEGER,
    last_error      TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, id DESC);
