-- Bucket4j's token buckets, one row per owner and kind of request (and rate), shared by every API replica.
create table rate_limit_bucket (
    id         text   primary key,
    state      bytea,
    expires_at bigint
);
