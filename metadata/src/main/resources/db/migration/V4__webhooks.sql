-- Owners' webhook endpoints, the events published for their attachments, and every delivery attempt.
create table webhook_endpoint (
    id         uuid        primary key,
    owner      text        not null,
    url        text        not null,
    events     text[]      not null,
    secret     text        not null,
    created_at timestamptz not null,
    deleted_at timestamptz
);
create index webhook_endpoint_owner on webhook_endpoint (owner) where deleted_at is null;

-- One row per event: its id is stable across retries and replays, so an event is published once.
create table webhook_event (
    id            uuid        primary key,
    owner         text        not null,
    attachment_id uuid        not null,
    type          text        not null,
    occurred_at   timestamptz not null,
    body          text        not null
);

create table webhook_delivery (
    id          uuid        primary key,
    event_id    uuid        not null references webhook_event (id),
    endpoint_id uuid        not null references webhook_endpoint (id),
    attempt     integer     not null,
    status_code integer,
    error       text,
    at          timestamptz not null
);
create index webhook_delivery_endpoint on webhook_delivery (endpoint_id, at desc);
