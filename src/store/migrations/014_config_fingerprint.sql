-- The fingerprint of the config whose rules the memberships were last reconciled against
-- (src/config/reconcile-fingerprint.ts): one row. A start with another fingerprint parks a change
-- for everyone, so that a rule removed or changed takes effect for people no source changes.
create table if not exists config_fingerprint (
  singleton boolean primary key default true check (singleton),
  fingerprint text not null,
  updated_at timestamptz not null default now()
);
