import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import type { RequestHandler, Router } from 'express';
import { safeEqual } from '../domain/secret-tokens.js';

/**
 * bull-board at `basePath`, behind the system token: `Authorization: Bearer <token>`, or HTTP Basic
 * with the token as password so that a browser can open it.
 */
export function bullBoard(options: { queues: readonly Queue[]; basePath: string; adminToken: string | undefined }): { auth: RequestHandler; router: Router } {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(options.basePath);
  createBullBoard({ queues: options.queues.map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  const auth: RequestHandler = (req, res, next) => {
    const header = req.headers.authorization ?? '';
    let presented: string | undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) presented = bearer[1];
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      presented = decoded.slice(decoded.indexOf(':') + 1);
    }
    if (options.adminToken && presented && safeEqual(presented, options.adminToken)) return next();
    res.setHeader('WWW-Authenticate', 'Basic realm="idsync queues", charset="UTF-8"');
    res.status(401).json({ error: { code: 'unauthenticated', message: options.adminToken ? 'the admin token is required' : 'IDSYNC_ADMIN_TOKEN is not set: bull-board is disabled' } });
  };
  return { auth, router: adapter.getRouter() as Router };
}
