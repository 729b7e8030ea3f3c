-- The provisioning log's table takes the name the design gives it (design.md §3: `request_log`).
alter table scim_requests rename to request_log;
alter index scim_requests_source_at rename to request_log_source_at;
alter sequence scim_requests_id_seq rename to request_log_id_seq;
