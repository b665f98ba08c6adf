-- A document's page count, as the preview service reports it.
alter table attachment add column preview_pages integer;
