import { z } from 'zod';

/**
 * The Entra delta cursor: Graph's two deltaLinks plus the group-in-group edges, so a delta can
 * tell which parents a nested member change reaches. JSON text, opaque to the engine.
 */
const entraCursor = z
  .object({
    v: z.literal(1),
    users: z.string().url(),
    groups: z.string().url(),
    /** parent group id → ids of groups that are its direct members */
    nested: z.record(z.string(), z.array(z.string())).default({}),
  })
  .strict();

export type EntraCursor = z.infer<typeof entraCursor>;

export function encodeCursor(cursor: EntraCursor): string {
  return JSON.stringify(cursor);
}

/** `undefined` when the text is not an Entra cursor. */
export function decodeCursor(text: string): EntraCursor | undefined {
  try {
    const parsed = entraCursor.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function nestingToRecord(nesting: ReadonlyMap<string, ReadonlySet<string>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [parent, children] of nesting) if (children.size > 0) out[parent] = [...children];
  return out;
}

export function nestingFromRecord(record: Record<string, string[]>): Map<string, Set<string>> {
  return new Map(Object.entries(record).map(([parent, children]) => [parent, new Set(children)]));
}
