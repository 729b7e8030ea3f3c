import { ApiError } from '../api/errors.js';

/** The stable codes of admin-operation failures; each maps to one HTTP status, here and nowhere else. */
const STATUS = {
  invalid_request: 400,
  forbidden: 403,
  not_found: 404,
  already_member: 409,
  rule_managed: 409,
  last_admin: 409,
  conflict: 409,
  invite_expired: 410,
  validity_too_long: 422,
} as const;
export type AdminErrorCode = keyof typeof STATUS;

/** A failed admin operation. Callers switch on `code`; the API serialises it as `{"error":{code,message}}`. */
export class AdminError extends ApiError {
  declare readonly code: AdminErrorCode;

  constructor(code: AdminErrorCode, message: string, options?: { cause?: unknown }) {
    super(STATUS[code], code, message, options);
    this.name = 'AdminError';
  }
}
