import type { Router } from 'express';
import { resourceTypes, schemas, serviceProviderConfig, type ServiceLimits } from '../discovery.js';
import { ScimError } from '../scim-error.js';
import { ctxOf, found, param, send } from './scim-response.js';

/** `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` (RFC 7644 §4), read-only. */
export function addDiscoveryRoutes(router: Router, limits: ServiceLimits): void {
  router.get('/ServiceProviderConfig', (_req, res) => send(res, 200, serviceProviderConfig(ctxOf(res).base, limits)));
  router.get('/ResourceTypes', (_req, res) => send(res, 200, resourceTypes(ctxOf(res).base) ?? {}));
  router.get('/ResourceTypes/:id', (req, res) => send(res, 200, found(resourceTypes(ctxOf(res).base, param(req, 'id')), 'ResourceType')));
  router.get('/Schemas', (_req, res) => send(res, 200, schemas(ctxOf(res).base) ?? {}));
  router.get('/Schemas/:id', (req, res) => send(res, 200, found(schemas(ctxOf(res).base, param(req, 'id')), 'Schema')));
  // RFC 7644 §4: the discovery endpoints are read-only. Another method is refused as such (405,
  // RFC 9110 §15.5.6, which requires `Allow`), not as an endpoint that does not exist.
  for (const endpoint of ['ServiceProviderConfig', 'ResourceTypes', 'Schemas']) {
    router.all([`/${endpoint}`, `/${endpoint}/*rest`], (req, res, next) => {
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      res.setHeader('allow', 'GET');
      throw new ScimError(405, undefined, `/${endpoint} is read-only: only GET is allowed`);
    });
  }

  // Searching across resource types at the root (RFC 7644 §3.4.2, §3.4.3) is not offered: 501 is
  // RFC 7644 §3.12's answer for an operation the service provider does not support.
  const noRootSearch = () => {
    throw new ScimError(501, undefined, 'Searching across resource types is not supported: query /Users or /Groups, or POST to /Users/.search or /Groups/.search');
  };
  router.post('/.search', noRootSearch);
  router.get('/', noRootSearch);
}
