-- The most active tokens one person may hold (see tokens::TokenCap); -1: no limit, the product's
-- default (its documents say one may hold any number).
ALTER TABLE workspace_settings ADD COLUMN max_active_tokens_per_person BIGINT NOT NULL DEFAULT -1;
