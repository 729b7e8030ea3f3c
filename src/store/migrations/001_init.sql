-- idsync schema v1. Observed state (source_*) is written only by ingest; granted state
-- (people, memberships, ...) only by the reconciler and the admin API.

create table sources (
  id          text primary key,
  kind        text not null check (kind in ('scim', 'ldap', 'entra', 'okta', 'google', 'csv')),
  precedence  integer not null default 0,
  created_at  timestamptz not null default now()
);

-- One sequence orders every observed write: versions only grow, across rows and tables.
create sequence observed_version;

create table source_users (
  source_id     text not null references sources (id) on delete cascade,
  id            uuid not null,
  external_id   text,
  user_name     text not null,
  -- lower-cased primary e-mail: the correlation key; null when the entry has none
  email         text,
  emails        jsonb not null default '[]',
  given_name    text,
  family_name   text,
  display_name  text,
  company       text,
  active        boolean not null default true,
  attributes    jsonb not null default '{}',
  content_hash  text not null,
  version       bigint not null default nextval('observed_version'),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  deleted_at    timestamptz,
  primary key (source_id, id)
);
create unique index source_users_external_id on source_users (source_id, external_id)
  where external_id is not null and deleted_at is null;
create unique index source_users_user_name on source_users (source_id, lower(user_name))
  where deleted_at is null;
create index source_users_email on source_users (email) where deleted_at is null;

create table source_groups (
  source_id     text not null references sources (id) on delete cascade,
  id            uuid not null,
  external_id   text,
  display_name  text not null,
  -- other names rules may use: an LDAP DN, a Google group e-mail
  aliases       text[] not null default '{}',
  attributes    jsonb not null default '{}',
  content_hash  text not null,
  version       bigint not null default nextval('observed_version'),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  deleted_at    timestamptz,
  primary key (source_id, id)
);
create unique index source_groups_external_id on source_groups (source_id, external_id)
  where external_id is not null and deleted_at is null;
create index source_groups_display_name on source_groups (source_id, lower(display_name)) where deleted_at is null;

create table source_group_members (
  source_id  text not null,
  group_id   uuid not null,
  user_id    uuid not null,
  primary key (source_id, group_id, user_id),
  foreign key (source_id, group_id) references source_groups (source_id, id) on delete cascade
);
create index source_group_members_user on source_group_members (source_id, user_id);

create table people (
  id              uuid primary key default gen_random_uuid(),
  email           text not null,
  given_name      text,
  family_name     text,
  display_name    text,
  company         text,
  kind            text not null default 'internal' check (kind in ('internal', 'external')),
  status          text not null default 'active' check (status in ('active', 'inactive')),
  last_active_at  timestamptz,
  version         integer not null default 1,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create unique index people_email on people (lower(email));

create table person_links (
  source_id       text not null,
  source_user_id  uuid not null,
  person_id       uuid not null references people (id) on delete cascade,
  created_at      timestamptz not null default now(),
  primary key (source_id, source_user_id)
);
create index person_links_person on person_links (person_id);

create table workspaces (
  id          text primary key,
  name        text not null,
  -- 'config' when declared in the config file (rules live there), 'api' when created by an admin
  origin      text not null default 'api' check (origin in ('config', 'api')),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  deleted_at  timestamptz
);

create table memberships (
  id            uuid primary key default gen_random_uuid(),
  person_id     uuid not null references people (id) on delete cascade,
  workspace_id  text not null references workspaces (id) on delete cascade,
  origin        text not null check (origin in ('rules', 'manual', 'invite')),
  role          text not null check (role in ('admin', 'editor', 'viewer')),
  status        text not null check (status in ('active', 'suspended', 'expired', 'removed')),
  -- for rule grants: the source and rule that grant the role
  source_id     text,
  rule          text,
  valid_from    timestamptz not null default now(),
  valid_until   timestamptz,
  suspended_at  timestamptz,
  reminded_at   timestamptz,
  granted_by    text,
  version       integer not null default 1,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  unique (person_id, workspace_id, origin)
);
create index memberships_workspace on memberships (workspace_id, person_id);
create index memberships_valid_until on memberships (valid_until) where status = 'active' and valid_until is not null;
create index memberships_suspended on memberships (suspended_at) where status = 'suspended';

create table invites (
  id            uuid primary key default gen_random_uuid(),
  workspace_id  text not null references workspaces (id) on delete cascade,
  email         text not null,
  role          text not null check (role in ('admin', 'editor', 'viewer')),
  token_hash    text not null unique,
  invited_by    text not null,
  status        text not null default 'pending' check (status in ('pending', 'accepted', 'revoked', 'expired')),
  expires_at    timestamptz not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
create index invites_workspace on invites (workspace_id, status);

create table audit_log (
  id            bigserial primary key,
  at            timestamptz not null default now(),
  actor         text not null,
  action        text not null,
  person_id     uuid,
  workspace_id  text,
  before        jsonb,
  after         jsonb,
  cause         text
);
create index audit_log_workspace on audit_log (workspace_id, id);
create index audit_log_person on audit_log (person_id, id);

create table outbox (
  id            bigserial primary key,
  at            timestamptz not null default now(),
  type          text not null,
  person_id     uuid,
  workspace_id  text,
  payload       jsonb not null
);

create table sync_runs (
  id           uuid primary key default gen_random_uuid(),
  source_id    text not null references sources (id) on delete cascade,
  mode         text not null check (mode in ('full', 'delta')),
  status       text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'blocked')),
  dry_run      boolean not null default false,
  counts       jsonb not null default '{}',
  skipped      jsonb not null default '{}',
  cursor       text,
  error        text,
  detail       jsonb,
  created_at   timestamptz not null default now(),
  started_at   timestamptz,
  finished_at  timestamptz
);
create index sync_runs_source on sync_runs (source_id, created_at desc);

-- the cursor a source's next delta run starts from, saved only by a successful run
create table source_cursors (
  source_id   text primary key references sources (id) on delete cascade,
  cursor      text not null,
  run_id      uuid,
  updated_at  timestamptz not null default now()
);

create table api_tokens (
  id          uuid primary key default gen_random_uuid(),
  token_hash  text not null unique,
  kind        text not null check (kind in ('source', 'person')),
  source_id   text references sources (id) on delete cascade,
  person_id   uuid references people (id) on delete cascade,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);
