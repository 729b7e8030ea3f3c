/** A write would break a uniqueness rule of observed state (user name or external id within a source). */
export class IngestConflictError extends Error {
  readonly code = 'INGEST_CONFLICT';
  /** `userName` or `externalId`. */
  readonly attribute: string;

  constructor(attribute: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestConflictError';
    this.attribute = attribute;
  }
}

