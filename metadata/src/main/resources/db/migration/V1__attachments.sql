-- One row per attachment: what the client declared, and what processing found.
create table attachment (
    id                    uuid        primary key,
    owner                 text        not null,
    filename              text        not null,
    content_type          text        not null,
    size                  bigint      not null,
    declared_sha256       text,
    idempotency_key       text,
    status                text        not null,
    status_reason         text,
    sha256                text,
    detected_content_type text,
    scan_verdict          text,
    scan_signature        text,
    scan_engine           text,
    scanned_at            timestamptz,
    preview_status        text,
    preview_reason        text,
    upload_expires_at     timestamptz not null,
    created_at            timestamptz not null,
    updated_at            timestamptz not null,
    constraint attachment_idempotency unique (owner, idempotency_key)
);

-- The owner's listing, newest first, with a (created_at, id) cursor.
create index attachment_owner_listing on attachment (owner, created_at desc, id desc);
create index attachment_owner_status_listing on attachment (owner, status, created_at desc, id desc);

create table attachment_preview (
    attachment_id uuid not null references attachment (id) on delete cascade,
    name          text not null,
    url           text not null,
    primary key (attachment_id, name)
);
