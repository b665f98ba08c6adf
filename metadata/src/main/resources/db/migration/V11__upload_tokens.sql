-- Upload tokens: short-lived credentials an owner's backend mints for a browser or phone, each allowing a few
-- uploads within a size and type limit. Only the SHA-256 of a token is kept. An attachment remembers the token
-- that created it, which may then follow that attachment and no other.
create table upload_token (
    id            uuid        primary key,
    owner         text        not null,
    token_sha256  bytea       not null,
    max_uploads   integer     not null check (max_uploads > 0),
    max_size      bigint      not null check (max_size > 0),
    types         text[]      not null,
    uploads_used  integer     not null default 0 check (uploads_used <= max_uploads),
    expires_at    timestamptz not null,
    created_at    timestamptz not null
);
create index upload_token_expires_at on upload_token (expires_at);

alter table attachment add column upload_token_id uuid references upload_token (id);
create index attachment_upload_token on attachment (upload_token_id) where upload_token_id is not null;
