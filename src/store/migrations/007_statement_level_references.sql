-- Grants, links and group members are written in batches of thousands of rows, and PostgreSQL
-- checks a foreign key with one query per row: measured, that was half the cost of inserting a
-- membership. These references are now checked once per statement, over the statement's new rows
-- (transition tables), and the cascades the foreign keys declared are kept by delete triggers.
-- Unlike a foreign key, the check takes no lock on the referenced row; nothing deletes people,
-- workspaces (soft-deleted), groups (soft-deleted) or sources while their rows are being written.

alter table memberships drop constraint memberships_person_id_fkey;
alter table memberships drop constraint memberships_workspace_id_fkey;
alter table person_links drop constraint person_links_person_id_fkey;
alter table source_group_members drop constraint source_group_members_source_id_group_id_fkey;
alter table source_users drop constraint source_users_source_id_fkey;

create function idsync_check_membership_refs() returns trigger language plpgsql as $$
declare missing text;
begin
  select coalesce((select 'person ' || r.person_id from written r where not exists (select 1 from people p where p.id = r.person_id) limit 1),
                  (select 'workspace ' || r.workspace_id from written r where not exists (select 1 from workspaces w where w.id = r.workspace_id) limit 1))
    into missing;
  if missing is not null then
    raise exception 'membership refers to a missing %', missing using errcode = 'foreign_key_violation';
  end if;
  return null;
end $$;
create trigger memberships_refs_insert after insert on memberships referencing new table as written
  for each statement execute function idsync_check_membership_refs();
create trigger memberships_refs_update after update on memberships referencing new table as written
  for each statement execute function idsync_check_membership_refs();

create function idsync_check_person_link_refs() returns trigger language plpgsql as $$
declare missing uuid;
begin
  select r.person_id into missing from written r where not exists (select 1 from people p where p.id = r.person_id) limit 1;
  if missing is not null then
    raise exception 'person link refers to a missing person %', missing using errcode = 'foreign_key_violation';
  end if;
  return null;
end $$;
create trigger person_links_refs_insert after insert on person_links referencing new table as written
  for each statement execute function idsync_check_person_link_refs();
create trigger person_links_refs_update after update on person_links referencing new table as written
  for each statement execute function idsync_check_person_link_refs();

create function idsync_check_group_member_refs() returns trigger language plpgsql as $$
declare missing uuid;
begin
  select r.group_id into missing from (select distinct source_id, group_id from written) r
   where not exists (select 1 from source_groups g where g.source_id = r.source_id and g.id = r.group_id) limit 1;
  if missing is not null then
    raise exception 'group member refers to a missing group %', missing using errcode = 'foreign_key_violation';
  end if;
  return null;
end $$;
create trigger source_group_members_refs after insert on source_group_members referencing new table as written
  for each statement execute function idsync_check_group_member_refs();

create function idsync_check_source_user_refs() returns trigger language plpgsql as $$
declare missing text;
begin
  select r.source_id into missing from (select distinct source_id from written) r
   where not exists (select 1 from sources s where s.id = r.source_id) limit 1;
  if missing is not null then
    raise exception 'user refers to a missing source %', missing using errcode = 'foreign_key_violation';
  end if;
  return null;
end $$;
create trigger source_users_refs_insert after insert on source_users referencing new table as written
  for each statement execute function idsync_check_source_user_refs();

-- The cascades of the dropped foreign keys.
create function idsync_cascade_person_delete() returns trigger language plpgsql as $$
begin
  delete from memberships m using removed r where m.person_id = r.id;
  delete from person_links l using removed r where l.person_id = r.id;
  return null;
end $$;
create trigger people_cascade after delete on people referencing old table as removed
  for each statement execute function idsync_cascade_person_delete();

create function idsync_cascade_workspace_delete() returns trigger language plpgsql as $$
begin
  delete from memberships m using removed r where m.workspace_id = r.id;
  return null;
end $$;
create trigger workspaces_cascade after delete on workspaces referencing old table as removed
  for each statement execute function idsync_cascade_workspace_delete();

create function idsync_cascade_group_delete() returns trigger language plpgsql as $$
begin
  delete from source_group_members m using removed r where m.source_id = r.source_id and m.group_id = r.id;
  return null;
end $$;
create trigger source_groups_cascade after delete on source_groups referencing old table as removed
  for each statement execute function idsync_cascade_group_delete();

create function idsync_cascade_source_delete() returns trigger language plpgsql as $$
begin
  delete from source_users u using removed r where u.source_id = r.id;
  return null;
end $$;
create trigger sources_cascade after delete on sources referencing old table as removed
  for each statement execute function idsync_cascade_source_delete();

-- The events feed and the webhook relay read the outbox by (tx, id): make that the primary key
-- rather than keeping a second index beside the one on id.
alter table outbox drop constraint outbox_pkey;
drop index outbox_tx_id;
alter table outbox add primary key (tx, id);
