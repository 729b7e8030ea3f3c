/**
 * The delta cursor: where the next delta starts. Opaque to the engine; here a small JSON object.
 *
 * It is taken *before* the run reads anything, so every write that lands while the run is
 * reading is seen again by the next delta (at-least-once; re-reads are harmless because the
 * engine diffs by content hash). A cursor taken after the run — or the highest modifyTimestamp
 * the run saw — would lose a write to an entry already read while a later entry with a newer
 * timestamp was still to come.
 *
 * - OpenLDAP (`kind: "time"`): the start time of the run. OpenLDAP does not publish its clock
 *   (no root DSE `currentTime`; `contextCSN` is only maintained with syncprov and goes stale
 *   without it), so the server's `currentTime` is used when offered and idsync's clock otherwise.
 *   The delta asks for `(modifyTimestamp>=start − deltaOverlapMs)`: the overlap absorbs clock
 *   skew and writes that were being committed at the start; modifyTimestamp has one-second
 *   resolution and `>=` keeps the boundary second.
 * - Active Directory (`kind: "usn"`): the root DSE's `highestCommittedUSN` and the DC that gave
 *   it (`dsServiceName`). USNs are per domain controller, so a delta against the same DC asks for
 *   `(uSNChanged>=usn+1)`; against another DC (a load-balanced name) it falls back to
 *   `(whenChanged>=currentTime − deltaOverlapMs)`.
 */
import { escapeFilter } from 'ldapts';
import { z } from 'zod';
import { ConnectorError } from '../../src/connector/errors.js';

const cursorSchema = z.discriminatedUnion('kind', [
  z.object({ v: z.literal(1), kind: z.literal('time'), time: z.iso.datetime() }).strict(),
  z.object({ v: z.literal(1), kind: z.literal('usn'), usn: z.string().regex(/^\d+$/), dc: z.string(), time: z.iso.datetime() }).strict(),
]);

export type LdapCursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: LdapCursor): string {
  return JSON.stringify(cursor);
}

export function decodeCursor(text: string, sourceId: string): LdapCursor {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConnectorError('connector_config', `ldap source "${sourceId}": the delta cursor is not one this connector wrote; run a full sync`, {
      sourceId,
    });
  }
  return parsed.data;
}

/** `YYYYMMDDHHMMSS[.fff]Z` → epoch ms, or `undefined`. */
export function parseGeneralizedTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac] = m as unknown as [string, string, string, string, string, string, string, string | undefined];
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  return Number.isFinite(t) ? t : undefined;
}

/** Epoch ms → `YYYYMMDDHHMMSSZ` (whole seconds, rounded down), or with `.0Z` for AD. */
export function formatGeneralizedTime(ms: number, fraction = false): string {
  const iso = new Date(ms).toISOString(); // 2026-11-24T21:58:55.123Z
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return fraction ? `${compact}.0Z` : `${compact}Z`;
}

/** What the root DSE says about "now" (see the module comment). */
export interface ServerClock {
  currentTime?: string | undefined;
  highestCommittedUSN?: string | undefined;
  dsServiceName?: string | undefined;
}

export function cursorAt(clock: ServerClock, delta: 'modifyTimestamp' | 'usn', now: number): LdapCursor {
  const serverNow = clock.currentTime ? parseGeneralizedTime(clock.currentTime) : undefined;
  const time = new Date(serverNow ?? now).toISOString();
  if (delta === 'usn' && clock.highestCommittedUSN && /^\d+$/.test(clock.highestCommittedUSN)) {
    return { v: 1, kind: 'usn', usn: clock.highestCommittedUSN, dc: clock.dsServiceName ?? '', time };
  }
  return { v: 1, kind: 'time', time };
}

/** The filter clause selecting entries changed since `cursor`. */
export function changedSinceFilter(cursor: LdapCursor, clock: ServerClock, overlapMs: number): string {
  // Not before 1970: an overlap longer than the cursor's age would make a year GeneralizedTime cannot write.
  const since = Math.max(0, Date.parse(cursor.time) - overlapMs);
  // The values are digits by construction; escaped all the same, as every value put into a filter is.
  if (cursor.kind === 'usn') {
    if (cursor.dc !== '' && cursor.dc === clock.dsServiceName) return escapeFilter`(uSNChanged>=${String(BigInt(cursor.usn) + 1n)})`;
    return escapeFilter`(whenChanged>=${formatGeneralizedTime(since, true)})`;
  }
  return escapeFilter`(modifyTimestamp>=${formatGeneralizedTime(since)})`;
}
