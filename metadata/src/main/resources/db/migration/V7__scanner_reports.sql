-- What each worker last found out about its scanner (reachable, configured, signatures fresh enough), so that
-- the API's health can say why files wait. One row per worker, rewritten every minute.
create table scanner_report (
    worker              text        primary key,
    engine              text,
    signatures_built_at timestamptz,
    problem             text,
    reported_at         timestamptz not null
);
