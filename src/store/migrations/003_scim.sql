-- SCIM server (src/scim).
--
-- externalId is the provisioning client's identifier for a resource; RFC 7643 §3.1 gives it no
-- uniqueness, and clients do reuse one (Microsoft's SCIM reference collection creates four users
-- with the same externalId and expects 201 each time). Directory sources derive a record's id from
-- its external id, so their primary key already keeps external ids unique within the source; the
-- index stays, for `externalId eq "…"` filters, but no longer rejects a second resource.
drop index source_users_external_id;
create index source_users_external_id on source_users (source_id, external_id) where deleted_at is null;
drop index source_groups_external_id;
create index source_groups_external_id on source_groups (source_id, external_id) where deleted_at is null;

-- The `display` text the client gave a group member (SCIM `members[].display`); null when it gave none.
alter table source_group_members add column display text;

-- `emails.value eq "…"` / `emails[type eq "work"].value eq "…"`: the lower-cased addresses of a user,
-- indexed, so that such filters need not scan every user's emails.
create function idsync_email_values(emails jsonb) returns text[] language sql immutable parallel safe as $$
  select coalesce(array_agg(lower(e ->> 'value')), '{}'::text[])
    from jsonb_array_elements(case when jsonb_typeof(emails) = 'array' then emails else '[]'::jsonb end) as e
$$;
create index source_users_email_values on source_users using gin (idsync_email_values(emails)) where deleted_at is null;
