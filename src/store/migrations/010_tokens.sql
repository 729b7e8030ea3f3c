-- Token lifecycle: an optional expiry (POST /api/v1/tokens {"expiresIn"}) and when the token was last
-- used (updated at most once a minute per token, not on every request).
alter table api_tokens add column expires_at timestamptz;
alter table api_tokens add column last_used_at timestamptz;

-- GET /api/v1/tokens pages the live tokens by (created_at, id); a person's own by person_id (api_tokens_person).
create index api_tokens_live on api_tokens (created_at, id) where revoked_at is null;
