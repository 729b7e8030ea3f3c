export type ScimResourceType = 'Users' | 'Groups';

/** What a quirk may look at besides the body. */
export interface QuirkContext {
  method: 'POST' | 'PUT' | 'PATCH';
  resourceType: ScimResourceType;
}

/**
 * One IdP quirk: a pure function from a parsed request body to the body scimmy should see. It
 * returns the body unchanged when the quirk does not apply, never mutates its input, and never
 * throws — anything it does not recognise is left for scimmy to accept or reject.
 */
export type Quirk = (body: unknown, context: QuirkContext) => unknown;
