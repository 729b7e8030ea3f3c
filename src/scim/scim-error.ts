/**
 * The one SCIM error type, serialised in one place (RFC 7644 §3.12).
 *
 * Everything the SCIM server rejects becomes a `ScimError`; the HTTP layer turns it into a body
 * with `toScimErrorBody` and never inspects messages. Errors from scimmy (its `SCIMMY.Types.Error`)
 * and anything unexpected are mapped by `toScimError`, so a stray exception becomes a 500 with a
 * generic detail instead of leaking internals. A `detail` is only ever our own text or one of
 * scimmy's validation messages: never the text of a runtime error (`hidesCause` marks the errors
 * whose cause the server logs instead).
 */
import { IdsyncError } from '../errors.js';
import { isScimmyValidationMessage } from './schema/scimmy-validation-message.js';
import { SCIM_ERROR_SCHEMA } from './schema-urns.js';


/** The `scimType` values RFC 7644 §3.12 (Table 9) defines. */
export const SCIM_TYPES = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
] as const;

export type ScimType = (typeof SCIM_TYPES)[number];

/** The wire shape of an error response. `status` is a string, as RFC 7644 §3.12 specifies. */
export interface ScimErrorBody {
  schemas: [typeof SCIM_ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

/**
 * A SCIM refusal (`scim_refused`, 4xx) or failure (`scim_failed`, 5xx). Unlike the rest of the error
 * family it carries its status: RFC 7644 §3.12 makes the status part of the error body, and every
 * `ScimError` is already an answer of the SCIM surface (domain errors become one in `scimErrorOf`).
 */
export class ScimError extends IdsyncError<'scim_refused' | 'scim_failed'> {
  /** HTTP status code, 400–599. */
  readonly status: number;
  /** Defined for the 400s (and 409 `uniqueness`) the RFC names; `undefined` otherwise. */
  readonly scimType: ScimType | undefined;
  /** Human-readable and safe to send to the client. */
  readonly detail: string;
  /**
   * True when `detail` stands in for a cause whose text the client must not see (a runtime error):
   * the server logs the cause. Default false.
   */
  readonly hidesCause: boolean;

  constructor(status: number, scimType: ScimType | undefined, detail: string, options?: { cause?: unknown; hidesCause?: boolean }) {
    if (!Number.isInteger(status) || status < 400 || status > 599) {
      throw new RangeError(`ScimError status must be an HTTP error status (400–599), got ${status}`);
    }
    super(status >= 500 ? 'scim_failed' : 'scim_refused', detail, options);
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.hidesCause = options?.hidesCause ?? false;
  }
}

export function isScimType(value: unknown): value is ScimType {
  return typeof value === 'string' && (SCIM_TYPES as readonly string[]).includes(value);
}

/** The RFC 7644 §3.12 response body for `error`. */
export function toScimErrorBody(error: ScimError): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [SCIM_ERROR_SCHEMA], status: String(error.status) };
  if (error.scimType !== undefined) body.scimType = error.scimType;
  if (error.detail !== '') body.detail = error.detail;
  return body;
}

const GENERIC_500 = 'The server could not complete the request.';
/** The detail of a refusal whose cause cannot be shown. */
export const GENERIC_REFUSAL = 'The request cannot be processed as sent.';

/**
 * Any thrown value as a `ScimError`: a `ScimError` as is; scimmy's `SCIMMY.Types.Error` (which
 * carries a numeric `status` and an optional `scimType`) with its status and type kept, and its
 * message only when it is one of scimmy's validation messages — scimmy also wraps runtime errors
 * in these; anything else as a 500 whose detail reveals nothing (the original is the `cause`, for
 * the log).
 */
export function toScimError(error: unknown): ScimError {
  if (error instanceof ScimError) return error;
  if (isScimmyError(error)) {
    const scimType = isScimType(error.scimType) ? error.scimType : undefined;
    if (isScimmyValidationMessage(error.message)) return new ScimError(error.status, scimType, error.message, { cause: error });
    return new ScimError(error.status, scimType, GENERIC_REFUSAL, { cause: error, hidesCause: true });
  }
  return new ScimError(500, undefined, GENERIC_500, { cause: error, hidesCause: true });
}

function isScimmyError(error: unknown): error is Error & { status: number; scimType?: unknown } {
  if (!(error instanceof Error) || error.name !== 'SCIMError') return false;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599;
}
