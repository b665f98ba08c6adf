-- One server, two databases: Temporal's own and the attachments' metadata.
create user attachments with password 'attachments';
create database attachments owner attachments;
