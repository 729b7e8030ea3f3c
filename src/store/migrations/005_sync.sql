-- Sync runs: at most one queued or running run per source, a heartbeat to detect abandoned runs,
-- and a staging area where a run's diff waits until the whole run has been read and judged.
alter table sync_runs add column heartbeat_at timestamptz;
alter table sync_runs add column trigger text not null default 'manual';
create unique index sync_runs_one_active on sync_runs (source_id) where status in ('queued', 'running');

create unlogged table sync_staging (
  run_id  uuid not null,
  seq     bigserial,
  kind    text not null check (kind in ('user', 'group', 'members', 'remove-user', 'remove-group')),
  record  jsonb not null,
  primary key (run_id, seq)
);
