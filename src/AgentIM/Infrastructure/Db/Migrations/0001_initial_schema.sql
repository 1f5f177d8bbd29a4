-- 0001_initial_schema.sql
-- Initial schema of the AgentIM hub: all 19 application tables.
-- Ids are text (nanoid for server-generated ids); every time column is timestamptz.
-- The migrator runs this file once, inside a transaction.

-- Trigram operators for the case-insensitive substring search on messages.content.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Accounts: local (password) and OAuth-only users, with lockout and TOTP state.
CREATE TABLE users (
    id                    text PRIMARY KEY,
    username              text NOT NULL,
    password_hash         text,
    display_name          text NOT NULL,
    avatar_url            text,
    role                  text NOT NULL DEFAULT 'user',
    failed_login_attempts integer NOT NULL DEFAULT 0,
    locked_until          timestamptz,
    totp_secret           text,
    totp_enabled          boolean NOT NULL DEFAULT false,
    totp_backup_codes     text,
    max_ws_connections    integer,
    max_gateways          integer,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);

-- Usernames are unique regardless of letter case (also serves case-insensitive login lookups).
CREATE UNIQUE INDEX users_username_lower_idx
    ON users (lower(username));

-- Refresh tokens: SHA-256 hex of a random token, looked up by hash.
CREATE TABLE refresh_tokens (
    id         text PRIMARY KEY,
    user_id    text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    token_hash text NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX refresh_tokens_user_idx
    ON refresh_tokens (user_id);
CREATE UNIQUE INDEX refresh_tokens_hash_idx
    ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_expires_idx
    ON refresh_tokens (expires_at);

-- Token revocations kept in PostgreSQL (fallback when Redis is absent); rows expire at expires_at.
-- user_id deliberately has no foreign key.
CREATE TABLE revoked_tokens (
    id         text PRIMARY KEY,
    user_id    text NOT NULL,
    token_hash text NOT NULL,
    revoked_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE INDEX revoked_tokens_user_id_idx
    ON revoked_tokens (user_id);
CREATE INDEX revoked_tokens_expires_at_idx
    ON revoked_tokens (expires_at);
CREATE INDEX revoked_tokens_token_hash_idx
    ON revoked_tokens (token_hash);

-- Links between users and external OAuth identities (GitHub, Google); provider tokens are encrypted.
CREATE TABLE oauth_accounts (
    id                  text PRIMARY KEY,
    user_id             text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    provider            text NOT NULL,
    provider_account_id text NOT NULL,
    email               text,
    display_name        text,
    avatar_url          text,
    access_token        text,
    refresh_token       text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX oauth_provider_account_idx
    ON oauth_accounts (provider, provider_account_id);
CREATE INDEX oauth_user_idx
    ON oauth_accounts (user_id);

-- Gateway processes (CLI hosts) owned by a user; the id is chosen by the gateway.
CREATE TABLE gateways (
    id              text PRIMARY KEY,
    user_id         text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL,
    hostname        text,
    platform        text,
    arch            text,
    node_version    text,
    connected_at    timestamptz,
    disconnected_at timestamptz,
    ephemeral       boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL
);

CREATE INDEX gateways_user_idx
    ON gateways (user_id);

-- Agents hosted by a gateway, with their status, visibility and advertised capabilities.
CREATE TABLE agents (
    id                text PRIMARY KEY,
    name              text NOT NULL,
    type              text NOT NULL,
    status            text NOT NULL DEFAULT 'offline',
    visibility        text NOT NULL DEFAULT 'private',
    visibility_list   jsonb NOT NULL DEFAULT '[]'::jsonb,
    gateway_id        text NOT NULL
        REFERENCES gateways (id) ON DELETE CASCADE,
    working_directory text,
    capabilities      jsonb,
    connection_type   text NOT NULL DEFAULT 'cli',
    slash_commands    jsonb,
    mcp_servers       jsonb,
    model             text,
    last_seen_at      timestamptz,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE INDEX agents_gateway_idx
    ON agents (gateway_id);
CREATE INDEX agents_status_idx
    ON agents (status);
CREATE INDEX agents_visibility_idx
    ON agents (visibility);
CREATE INDEX agents_last_seen_idx
    ON agents (last_seen_at);

-- Server-side agents backed by external provider APIs; the provider config is stored encrypted.
CREATE TABLE service_agents (
    id               text PRIMARY KEY,
    name             text NOT NULL,
    type             text NOT NULL DEFAULT 'openai-chat',
    category         text NOT NULL DEFAULT 'chat',
    description      text,
    status           text NOT NULL DEFAULT 'active',
    config_encrypted text NOT NULL,
    avatar_url       text,
    created_by_id    text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

CREATE INDEX service_agents_created_by_idx
    ON service_agents (created_by_id);
CREATE UNIQUE INDEX service_agents_name_creator_idx
    ON service_agents (name, created_by_id);
CREATE INDEX service_agents_name_idx
    ON service_agents (name);
CREATE INDEX service_agents_status_idx
    ON service_agents (status);

-- LLM routers that pick which agent answers in a room; the API key is stored encrypted.
CREATE TABLE routers (
    id                text PRIMARY KEY,
    name              text NOT NULL,
    description       text,
    scope             text NOT NULL DEFAULT 'personal',
    created_by_id     text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    llm_base_url      text NOT NULL,
    llm_api_key       text NOT NULL,
    llm_model         text NOT NULL,
    max_chain_depth   integer NOT NULL DEFAULT 5,
    rate_limit_window integer NOT NULL DEFAULT 60,
    rate_limit_max    integer NOT NULL DEFAULT 20,
    visibility        text NOT NULL DEFAULT 'all',
    visibility_list   jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

CREATE INDEX routers_created_by_idx
    ON routers (created_by_id);
CREATE INDEX routers_scope_idx
    ON routers (scope);
CREATE INDEX routers_scope_creator_idx
    ON routers (scope, created_by_id);
CREATE UNIQUE INDEX routers_name_creator_idx
    ON routers (name, created_by_id);

-- Chat rooms; deleting the router only detaches it.
CREATE TABLE rooms (
    id                 text PRIMARY KEY,
    name               text NOT NULL,
    type               text NOT NULL DEFAULT 'group',
    broadcast_mode     boolean NOT NULL DEFAULT false,
    system_prompt      text,
    router_id          text
        REFERENCES routers (id) ON DELETE SET NULL,
    agent_command_role text NOT NULL DEFAULT 'member',
    created_by_id      text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE INDEX rooms_created_by_idx
    ON rooms (created_by_id);
CREATE INDEX rooms_router_idx
    ON rooms (router_id);

-- Room membership of users and agents with per-member preferences and markers.
-- member_id is polymorphic (user or agent id) and has no foreign key; the app removes stale rows.
CREATE TABLE room_members (
    room_id           text NOT NULL
        REFERENCES rooms (id) ON DELETE CASCADE,
    member_id         text NOT NULL,
    member_type       text NOT NULL,
    role              text NOT NULL DEFAULT 'member',
    role_description  text,
    notification_pref text NOT NULL DEFAULT 'all',
    pinned_at         timestamptz,
    archived_at       timestamptz,
    last_read_at      timestamptz,
    cleared_at        timestamptz,
    joined_at         timestamptz NOT NULL
);

CREATE UNIQUE INDEX room_members_unique_idx
    ON room_members (room_id, member_id);
CREATE INDEX room_members_room_idx
    ON room_members (room_id);
CREATE INDEX room_members_member_idx
    ON room_members (member_id);
CREATE INDEX room_members_member_room_idx
    ON room_members (member_id, room_id);
CREATE INDEX room_members_room_type_idx
    ON room_members (room_id, member_type);
CREATE INDEX room_members_member_type_idx
    ON room_members (member_id, member_type);
CREATE INDEX room_members_pinned_idx
    ON room_members (member_id, pinned_at);
CREATE INDEX room_members_archived_idx
    ON room_members (member_id, archived_at);

-- Stored chat messages (user messages and agent responses).
-- sender_id and reply_to_id are not foreign keys.
CREATE TABLE messages (
    id          text PRIMARY KEY,
    room_id     text NOT NULL
        REFERENCES rooms (id) ON DELETE CASCADE,
    sender_id   text NOT NULL,
    sender_type text NOT NULL,
    sender_name text NOT NULL,
    type        text NOT NULL DEFAULT 'text',
    content     text NOT NULL,
    reply_to_id text,
    mentions    jsonb NOT NULL DEFAULT '[]'::jsonb,
    chunks      jsonb,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz
);

CREATE INDEX messages_room_idx
    ON messages (room_id);
CREATE INDEX messages_room_created_idx
    ON messages (room_id, created_at);
-- History cursor: newest first, ties broken by id.
CREATE INDEX messages_room_created_id_idx
    ON messages (room_id, created_at DESC, id DESC);
CREATE INDEX messages_sender_idx
    ON messages (sender_id);
CREATE INDEX messages_sender_created_idx
    ON messages (sender_id, created_at);
CREATE INDEX messages_reply_to_idx
    ON messages (reply_to_id);
CREATE INDEX messages_updated_at_idx
    ON messages (updated_at);
-- Case-insensitive substring search (ILIKE).
CREATE INDEX messages_content_trgm_idx
    ON messages USING gin (content gin_trgm_ops);

-- Uploaded files; message_id stays NULL until the upload is attached to a message.
CREATE TABLE message_attachments (
    id          text PRIMARY KEY,
    message_id  text
        REFERENCES messages (id) ON DELETE CASCADE,
    filename    text NOT NULL,
    mime_type   text NOT NULL,
    size        integer NOT NULL,
    url         text NOT NULL,
    uploaded_by text
        REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL
);

CREATE INDEX attachments_message_idx
    ON message_attachments (message_id);
CREATE INDEX attachments_uploaded_by_idx
    ON message_attachments (uploaded_by);

-- Emoji reactions of users on messages (one row per message, user and emoji).
CREATE TABLE message_reactions (
    message_id text NOT NULL
        REFERENCES messages (id) ON DELETE CASCADE,
    user_id    text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    emoji      text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX reactions_message_idx
    ON message_reactions (message_id);
CREATE UNIQUE INDEX reactions_unique_idx
    ON message_reactions (message_id, user_id, emoji);

-- Edit history: the content of a message before each edit.
CREATE TABLE message_edits (
    id               text PRIMARY KEY,
    message_id       text NOT NULL
        REFERENCES messages (id) ON DELETE CASCADE,
    previous_content text NOT NULL,
    edited_at        timestamptz NOT NULL
);

CREATE INDEX message_edits_message_idx
    ON message_edits (message_id);
CREATE INDEX message_edits_message_edited_idx
    ON message_edits (message_id, edited_at);

-- Tasks of a room; the assignee (user or agent) is not a foreign key.
CREATE TABLE tasks (
    id            text PRIMARY KEY,
    room_id       text NOT NULL
        REFERENCES rooms (id) ON DELETE CASCADE,
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'pending',
    result        text,
    due_date      timestamptz,
    assignee_id   text,
    assignee_type text,
    created_by_id text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX tasks_room_idx
    ON tasks (room_id);
CREATE INDEX tasks_assignee_idx
    ON tasks (assignee_id);
CREATE INDEX tasks_status_idx
    ON tasks (status);
CREATE INDEX tasks_created_by_idx
    ON tasks (created_by_id);
CREATE INDEX tasks_room_status_idx
    ON tasks (room_id, status);
CREATE INDEX tasks_updated_at_idx
    ON tasks (updated_at);

-- Messages a user bookmarked, with an optional note.
CREATE TABLE bookmarks (
    id         text PRIMARY KEY,
    user_id    text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    message_id text NOT NULL
        REFERENCES messages (id) ON DELETE CASCADE,
    note       text DEFAULT '',
    created_at timestamptz NOT NULL,
    CONSTRAINT bookmarks_user_message_unique
        UNIQUE (user_id, message_id)
);

CREATE INDEX bookmarks_user_idx
    ON bookmarks (user_id);
CREATE INDEX bookmarks_created_at_idx
    ON bookmarks (user_id, created_at);

-- Admin runtime settings as key/value strings; sensitive values are stored encrypted.
CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by text
        REFERENCES users (id) ON DELETE SET NULL
);

-- Web Push subscriptions of users' browsers.
CREATE TABLE push_subscriptions (
    id         text PRIMARY KEY,
    user_id    text NOT NULL
        REFERENCES users (id) ON DELETE CASCADE,
    endpoint   text NOT NULL,
    p256dh     text NOT NULL,
    auth       text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX push_subscriptions_endpoint_idx
    ON push_subscriptions (endpoint);
CREATE INDEX push_subscriptions_user_idx
    ON push_subscriptions (user_id);

-- Write-only audit trail of security-relevant actions; kept when the acting user is deleted.
CREATE TABLE audit_logs (
    id          text PRIMARY KEY,
    user_id     text
        REFERENCES users (id) ON DELETE SET NULL,
    action      text NOT NULL,
    target_id   text,
    target_type text,
    metadata    jsonb,
    ip_address  text,
    created_at  timestamptz NOT NULL
);

CREATE INDEX audit_logs_user_idx
    ON audit_logs (user_id);
CREATE INDEX audit_logs_action_idx
    ON audit_logs (action);
CREATE INDEX audit_logs_created_at_idx
    ON audit_logs (created_at);
CREATE INDEX audit_logs_target_idx
    ON audit_logs (target_id, target_type);
