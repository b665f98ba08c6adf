-- The recovery and retention rounds page through these in id order; the partial indexes keep a page cheap however
-- many finished attachments the table holds.
create index attachment_unfinished on attachment (id) where status in ('AWAITING_UPLOAD', 'PROCESSING');
create index attachment_quarantined on attachment (updated_at, id) where status = 'QUARANTINED';
