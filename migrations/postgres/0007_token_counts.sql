-- How many tokens each person holds, kept by the database as tokens come and go, so that a list's
-- count costs one row instead of a scan of every token (see tokens::store::count). A token whose
-- rotation grace has ended still counts here until it is deleted; the count subtracts those few.
-- One row per person, not one for the workspace: concurrent creations by different people never
-- wait on each other's counter.
-- No token comes or goes between the count below and the triggers that keep it (an instance of the
-- previous version may be writing): the migration's transaction holds this until it commits.
LOCK TABLE access_tokens IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE token_counts (
    owner_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tokens   BIGINT NOT NULL
);
INSERT INTO token_counts (owner_id, tokens) SELECT owner_id, count(*) FROM access_tokens GROUP BY owner_id;

-- Once per statement, from the rows it changed: a row trigger would update one person's counter
-- once per token, and a statement adding or deleting many tokens of one person (a bulk import,
-- deleting the person) would leave a chain of row versions that each update walks.
CREATE FUNCTION access_tokens_count_in() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO token_counts (owner_id, tokens)
    SELECT owner_id, count(*) FROM inserted GROUP BY owner_id
    ON CONFLICT (owner_id) DO UPDATE SET tokens = token_counts.tokens + EXCLUDED.tokens;
    RETURN NULL;
END
$$;

CREATE FUNCTION access_tokens_count_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE token_counts c SET tokens = c.tokens - d.tokens
    FROM (SELECT owner_id, count(*) AS tokens FROM deleted GROUP BY owner_id) d
    WHERE c.owner_id = d.owner_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER access_tokens_counted_in AFTER INSERT ON access_tokens
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION access_tokens_count_in();
-- Also when deleting a person deletes their tokens (the cascade fires it).
CREATE TRIGGER access_tokens_counted_out AFTER DELETE ON access_tokens
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION access_tokens_count_out();
