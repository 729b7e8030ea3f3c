import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root (the folder with package.json), found from this module whether it runs from
 * `src/` (tsx, vitest) or from `dist/src/` (npm start). The console's page and the import template
 * are served from the checkout as they are: there is nothing to build.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'src', 'console', 'static'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the idsync package root (package.json beside src/console/static)');
    dir = parent;
  }
}
