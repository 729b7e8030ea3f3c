-- The provisioning log: one row per SCIM request a source sent, kept for `retention.requestLog`.
-- What was asked and answered, never what was carried: no body, no header, so no password or token.
-- Rows arrive in batches after their responses, from every serving process; `at` is when the request
-- arrived, so listings order by it (newest first), with the id to break ties.
create table scim_requests (
  id            bigint generated always as identity primary key,
  source_id     text not null,
  at            timestamptz not null,
  method        text not null,
  path          text not null,
  status        smallint not null,
  scim_type     text,
  duration_ms   real not null,
  -- PATCH operations or Bulk operations the request carried; null for other requests
  operations    int,
  resource_ids  text[] not null default '{}',
  error         text
);
-- Serves the listing (a source's newest first) and the retention sweep (a source's oldest).
create index scim_requests_source_at on scim_requests (source_id, at desc, id desc);

-- The entries a sync run skipped, each with its reason, in the order the run met them. Bounded per
-- run (the run's counts still give the total); they go when their run goes.
create table sync_run_skipped (
  run_id       uuid not null references sync_runs (id) on delete cascade,
  seq          int not null,
  external_id  text,
  reason       text not null,
  detail       text,
  primary key (run_id, seq)
);
