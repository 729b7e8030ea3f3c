-- Changes whose publication to the queue failed after their observed write committed (Redis down).
-- The relay publishes them once Redis answers again, so no change is lost.
create table pending_changes (
  key         text primary key,
  source_id   text not null,
  cause       text not null,
  created_at  timestamptz not null default now()
);
