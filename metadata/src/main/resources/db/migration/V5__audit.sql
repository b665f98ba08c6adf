-- What operators did to an attachment: who, when, why.
create table attachment_audit (
    id            uuid        primary key,
    attachment_id uuid        not null references attachment (id),
    action        text        not null,
    actor         text        not null,
    reason        text        not null,
    at            timestamptz not null
);
create index attachment_audit_attachment on attachment_audit (attachment_id, at);
