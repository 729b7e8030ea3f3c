import { IdsyncError } from '../errors.js';

/** A write would break a uniqueness rule of observed state (user name or external id within a source). */
export class IngestConflictError extends IdsyncError<'ingest_conflict'> {
  /** What was being written. */
  readonly resource: 'user' | 'group';
  /** `userName`, `externalId` or `id`. */
  readonly attribute: string;

  constructor(resource: 'user' | 'group', attribute: string, message: string, options?: { cause?: unknown }) {
    super('ingest_conflict', message, options);
    this.resource = resource;
    this.attribute = attribute;
  }
}
