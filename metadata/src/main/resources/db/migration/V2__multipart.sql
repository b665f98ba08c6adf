-- Large files upload in parts: the S3 multipart upload and the part size the client was told.
alter table attachment add column multipart_upload_id text;
alter table attachment add column part_size bigint;
