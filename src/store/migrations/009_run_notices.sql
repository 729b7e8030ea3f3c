-- What a run could not do that its operator must know about (ConnectorNotice: code, message),
-- e.g. deletions a delta could not read and left to the next full run. A JSON array.
alter table sync_runs add column notices jsonb not null default '[]';
