-- Workspace administration and lifecycle.

-- Outbox rows carry the id of the transaction that wrote them. bigserial ids are handed out before
-- commit, so a reader that only follows `id` could pass a row whose transaction commits later; a
-- reader that stays below the oldest transaction still running (pg_snapshot_xmin) and orders by
-- (tx, id) sees every row exactly once, in commit-safe order.
alter table outbox add column tx xid8 not null default pg_current_xact_id();
create index outbox_tx_id on outbox (tx, id);

-- How far each outbox consumer (the webhook relay) has read.
create table outbox_cursors (
  name        text primary key,
  tx          xid8 not null,
  id          bigint not null,
  updated_at  timestamptz not null default now()
);

-- Short leases so that a periodic job runs once at a time across every worker process.
create table leases (
  name        text primary key,
  holder      text not null,
  expires_at  timestamptz not null
);

create index invites_pending_expiry on invites (expires_at) where status = 'pending';
create index memberships_person on memberships (person_id);
create index api_tokens_person on api_tokens (person_id) where kind = 'person';
