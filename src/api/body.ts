import type { z } from 'zod';
import { badRequest } from './errors.js';

/** Parses a request body at the boundary; the first problem becomes a 400 naming its field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  throw badRequest(`${path}${issue?.message ?? 'invalid body'}`);
}
