-- Covered by the unique (person_id, workspace_id, origin) index; one index less to write per grant.
drop index memberships_person;

-- A hash of a group's member ids as last written in full (null after an incremental change), so an
-- unchanged group of a full sync is recognised without reading its member rows.
alter table source_groups add column members_hash text;
