export { normalizeRequest, type CompatRequest } from './normalize-request.js';
export type { Quirk, QuirkContext, ScimResourceType } from './quirk.js';
