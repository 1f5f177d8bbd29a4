-- 0002_sessions.sql
-- Login sessions and account-wide revocation.
-- The migrator runs this file once, inside a transaction.

-- Each login starts a session; refresh-token rotation keeps the session id.
ALTER TABLE refresh_tokens
    ADD COLUMN session_id text NOT NULL;

CREATE INDEX refresh_tokens_session_idx
    ON refresh_tokens (session_id);

-- A revoked_tokens row may now stand for a logged-out session (session_id set, token_hash NULL);
-- rows still expire at expires_at.
ALTER TABLE revoked_tokens
    ADD COLUMN session_id text;

ALTER TABLE revoked_tokens
    ALTER COLUMN token_hash DROP NOT NULL;

CREATE INDEX revoked_tokens_session_idx
    ON revoked_tokens (session_id);

-- Every access token issued before sessions_revoked_at is rejected (password change, disable, delete).
ALTER TABLE users
    ADD COLUMN sessions_revoked_at timestamptz;

-- Set while an account is disabled.
ALTER TABLE users
    ADD COLUMN disabled_at timestamptz;
