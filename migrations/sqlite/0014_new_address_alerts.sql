-- A token whose owner wants to hear when it is used from an address outside its recent ones
-- (tokens::usage::RECENT_CLIENTS): the first use from a new address notifies them and the
-- webhooks (token.used_from_new_ip).
ALTER TABLE access_tokens ADD COLUMN alert_new_ip BOOLEAN NOT NULL DEFAULT FALSE;
