/**
 * The provisioning log (`request_log`): what each SCIM request of a source asked and what it was
 * answered — method, path, status, `scimType`, duration, operations, the resource ids it touched and
 * the error detail the client was sent. Never a body or a header: no password, no token.
 */
import { arrayParameter } from '../array-literal.js';
import type { Queryable } from '../db.js';

export interface ScimRequestEntry {
  sourceId: string;
  /** When the request arrived. */
  at: Date;
  method: string;
  /** The path under `/scim/v2`, with the SCIM query parameters it was sent with. */
  path: string;
  status: number;
  scimType: string | null;
  durationMs: number;
  /** PATCH operations or Bulk operations the request carried; null for other requests. */
  operations: number | null;
  resourceIds: readonly string[];
  /** The error detail the client was sent. */
  error: string | null;
}

/** An entry as `GET /api/v1/sources/{id}/requests` shows it: the entry, with its id and its time as text, under its source. */
export interface ScimRequestView extends Omit<ScimRequestEntry, 'sourceId' | 'at' | 'resourceIds'> {
  id: string;
  at: string;
  resourceIds: string[];
}

/** Where a page of the listing starts: after the entry with this time and id (newest first). */
export interface RequestLogPosition {
  at: string;
  id: string;
}

export interface RequestLogQuery {
  /** Only requests that arrived at or after this time. */
  since?: Date | undefined;
  /** Only statuses in this range (one status, or a class such as 400–499). */
  status?: { min: number; max: number } | undefined;
  before?: RequestLogPosition | undefined;
  limit: number;
}

/**
 * Appends entries in one statement (the recorder's batches): one array per column, unnested. Typed
 * arrays cost PostgreSQL less to read than a JSON document of the same rows, and nothing here is
 * parsed twice; each entry's resource ids travel as one array literal, cast per row.
 */
export async function insertScimRequests(q: Queryable, entries: readonly ScimRequestEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const column = <T>(of: (e: ScimRequestEntry) => T): T[] => entries.map(of);
  await q.query(
    `insert into request_log (source_id, at, method, path, status, scim_type, duration_ms, operations, resource_ids, error)
     select source_id, at, method, path, status, scim_type, duration_ms, operations, resource_ids::text[], error
       from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::real[], $8::int[], $9::text[], $10::text[])
            as r(source_id, at, method, path, status, scim_type, duration_ms, operations, resource_ids, error)`,
    [
      arrayParameter(column((e) => e.sourceId)),
      arrayParameter(column((e) => e.at.toISOString())),
      arrayParameter(column((e) => e.method)),
      arrayParameter(column((e) => e.path)),
      column((e) => e.status),
      arrayParameter(column((e) => e.scimType)),
      column((e) => e.durationMs),
      column((e) => e.operations),
      arrayParameter(column((e) => arrayParameter(e.resourceIds) as string)),
      arrayParameter(column((e) => e.error)),
    ],
  );
}

type Row = {
  id: string;
  at: Date;
  method: string;
  path: string;
  status: number;
  scim_type: string | null;
  duration_ms: number;
  operations: number | null;
  resource_ids: string[];
  error: string | null;
};

/** A source's requests, newest first, `limit` of them after `before`. */
export async function listScimRequests(q: Queryable, sourceId: string, query: RequestLogQuery): Promise<ScimRequestView[]> {
  const r = await q.query<Row>(
    // Ordered by the stored columns: the bigint id, not the text it is returned as.
    `select id::text as id, at, method, path, status, scim_type, duration_ms, operations, resource_ids, error
       from request_log
      where source_id = $1
        and ($2::timestamptz is null or at >= $2)
        and status between $3 and $4
        and ($5::timestamptz is null or (at, id) < ($5, $6::bigint))
      order by request_log.at desc, request_log.id desc
      limit $7`,
    [sourceId, query.since ?? null, query.status?.min ?? 0, query.status?.max ?? 999, query.before?.at ?? null, query.before?.id ?? null, query.limit],
  );
  return r.rows.map((row) => ({
    id: row.id,
    at: row.at.toISOString(),
    method: row.method,
    path: row.path,
    status: row.status,
    scimType: row.scim_type,
    durationMs: Math.round(row.duration_ms * 100) / 100,
    operations: row.operations,
    resourceIds: row.resource_ids,
    error: row.error,
  }));
}

/**
 * Deletes up to `batchSize` requests that arrived before `cutoff`. Each registered source's oldest
 * are found through its own index range, so a sweep with nothing due reads a few index pages, not
 * the log.
 */
export async function deleteScimRequestsBefore(q: Queryable, cutoff: Date, batchSize: number): Promise<number> {
  const r = await q.query(
    `with due as (
       select old.id from sources s
        cross join lateral (
          select id from request_log where source_id = s.id and at < $1 order by at, id limit $2) old
        limit $2)
     delete from request_log r using due where r.id = due.id`,
    [cutoff, batchSize],
  );
  return r.rowCount;
}
