import { IdsyncError } from '../errors.js';

/** A write would break a uniqueness rule of observed state (user name or external id within a source). */
export class IngestConflictError extends IdsyncError<'ingest_conflict'> {
  /** `userName` or `externalId`. */
  readonly attribute: string;

  constructor(attribute: string, message: string, options?: { cause?: unknown }) {
    super('ingest_conflict', message, options);
    this.attribute = attribute;
  }
}
