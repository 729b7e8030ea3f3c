/**
 * The admin API's one table from error code to HTTP status (the console's API shares it).
 *
 * Errors carry a code, never a status: an admin operation's `AdminError`, the sync service's
 * `RunInProgressError` and `NotSyncableError`, and the API's own refusals (`ApiError`) are all
 * answered `{"error":{"code","message"}}` with the status this table gives their code. A code that
 * is not here is not meant for clients: the API answers it as a 500 `internal` and logs it.
 * The codes are a contract with API clients: add codes, never rename one.
 */
export const API_ERROR_STATUS = {
  invalid_request: 400,
  invalid_json: 400,
  invalid_path: 400,
  invalid_value: 400,
  not_syncable: 400,
  unauthenticated: 401,
  invalid_token: 401,
  session_ended: 401,
  forbidden: 403,
  cross_origin: 403,
  csrf_token_invalid: 403,
  not_found: 404,
  already_member: 409,
  rule_managed: 409,
  last_admin: 409,
  conflict: 409,
  run_in_progress: 409,
  invite_expired: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validity_too_long: 422,
  too_many_attempts: 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, number>;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

export function isApiErrorCode(code: string): code is ApiErrorCode {
  return Object.hasOwn(API_ERROR_STATUS, code);
}
