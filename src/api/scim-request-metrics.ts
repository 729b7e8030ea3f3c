import type { Request, RequestHandler, Response } from 'express';
import type { ScimContext } from '../scim/request-context.js';
import type { Metrics } from './metrics.js';
import type { SourceActivityRecorder } from './source-activity-recorder.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every SCIM request by source, method, route pattern and status class, and notes
 * the source's activity. Mounted where the SCIM router is, before it: the labels are read when the
 * response has finished, once the router has authenticated the source (`res.locals.scim`) and
 * matched a route (`req.route.path`, e.g. `/Users/:id`). The raw path never becomes a label:
 * requests no route matched (unknown paths, failed authentication) are `unmatched`.
 */
export function scimRequestMetrics(options: { metrics: Metrics; activity?: SourceActivityRecorder | undefined }): RequestHandler {
  const { scimRequests, scimRequestDuration } = options.metrics;
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const source = sourceOf(res);
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      const route = routeOf(req);
      scimRequests.inc({ source: source ?? 'none', method, route, status_class: `${Math.floor(res.statusCode / 100)}xx` });
      scimRequestDuration.observe({ source: source ?? 'none', method, route }, seconds);
      if (source !== undefined) options.activity?.saw(source);
    });
    next();
  };
}

function sourceOf(res: Response): string | undefined {
  return (res.locals['scim'] as ScimContext | undefined)?.sourceId;
}

/** The pattern of the route that answered, as declared in the SCIM router; `unmatched` when none did. */
function routeOf(req: Request): string {
  const path = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.filter((p) => typeof p === 'string').join('|');
  return 'unmatched';
}
