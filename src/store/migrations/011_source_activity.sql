-- When a pushed source (SCIM) last sent an authenticated request: its health turns `stale` when it
-- stays silent longer than its `expectActivityWithin`. Written at most once a minute per source and
-- process, so a busy IdP costs no write per request.
alter table sources add column last_activity_at timestamptz;
