-- How many tokens each person holds, kept by the database as tokens come and go, so that a list's
-- count costs one row instead of a scan of every token (see tokens::store::count). A token whose
-- rotation grace has ended still counts here until it is deleted; the count subtracts those few.
CREATE TABLE token_counts (
    owner_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tokens   INTEGER NOT NULL
);
INSERT INTO token_counts (owner_id, tokens) SELECT owner_id, count(*) FROM access_tokens GROUP BY owner_id;

CREATE TRIGGER access_tokens_counted_in AFTER INSERT ON access_tokens BEGIN
    INSERT INTO token_counts (owner_id, tokens) VALUES (NEW.owner_id, 1)
    ON CONFLICT (owner_id) DO UPDATE SET tokens = tokens + 1;
END;

-- Also when deleting a person deletes their tokens (the cascade fires it, and the person's row
-- here goes with them).
CREATE TRIGGER access_tokens_counted_out AFTER DELETE ON access_tokens BEGIN
    UPDATE token_counts SET tokens = tokens - 1 WHERE owner_id = OLD.owner_id;
END;
