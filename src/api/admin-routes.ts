import type { Router } from 'express';
import type { AdminContext } from '../admin/context.js';
import { accessRoutes } from './routes/access.js';
import { eventRoutes } from './routes/events.js';
import { importRoutes } from './routes/imports.js';
import { inviteRoutes } from './routes/invites.js';
import { memberRoutes } from './routes/members.js';
import { peopleRoutes } from './routes/people.js';
import { permissionRoutes } from './routes/permissions.js';
import { provisioningLogRoutes } from './routes/provisioning-log.js';
import { rulesPreviewRoutes } from './routes/rules-preview.js';
import { tokenRoutes } from './routes/tokens.js';
import { workspaceAdminRoutes } from './routes/workspace-admin.js';

/** The workspace-administration routers, for `createHttpApp({ apiRouters })`. */
export function adminApiRouters(ctx: AdminContext): Router[] {
  return [
    workspaceAdminRoutes(ctx),
    memberRoutes(ctx),
    inviteRoutes(ctx),
    importRoutes(ctx),
    permissionRoutes(ctx.db),
    peopleRoutes(ctx),
    accessRoutes(ctx),
    rulesPreviewRoutes(ctx),
    tokenRoutes(ctx),
    eventRoutes(ctx.db),
    provisioningLogRoutes(ctx.db),
  ];
}
