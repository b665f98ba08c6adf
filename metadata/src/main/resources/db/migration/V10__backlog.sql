-- What operators watch: since when each attachment has been processing (the release latency starts there, and the
-- oldest one tells a stuck pipeline), and which webhook events still wait for their receiver.
alter table attachment add column processing_since timestamptz;
update attachment set processing_since = updated_at where status = 'PROCESSING';
create index attachment_processing_since on attachment (processing_since) where status = 'PROCESSING';

-- One row per event and endpoint from the moment the event is recorded until the receiver took it (2xx) or refused
-- it for good (4xx); a row left after the deliveries gave up waits for an operator's redelivery.
create table webhook_pending (
    event_id    uuid        not null references webhook_event (id),
    endpoint_id uuid        not null references webhook_endpoint (id),
    since       timestamptz not null,
    primary key (event_id, endpoint_id)
);
create index webhook_pending_since on webhook_pending (since);
