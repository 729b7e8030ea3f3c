import { IdsyncError } from '../errors.js';

/** The stable codes of admin-operation failures; the admin API gives each its status (src/api/error-status.ts). */
export type AdminErrorCode =
  | 'invalid_request'
  | 'forbidden'
  | 'not_found'
  | 'already_member'
  | 'rule_managed'
  | 'last_admin'
  | 'conflict'
  | 'invite_expired'
  | 'validity_too_long';

/** A failed admin operation. Callers switch on `code`; the API serialises it as `{"error":{code,message}}`. */
export class AdminError extends IdsyncError<AdminErrorCode> {}
