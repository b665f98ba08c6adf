-- The ETag of the held object a verdict is about: a reprocess keeps the verdict only for that same object.
alter table attachment add column scan_etag text;
