/**
 * bench:pglite-memory — what each of PGlite's memory options costs, measured one at a time, each
 * in a fresh process on a copy of the same initialised data directory: RSS after the database
 * opens, and after a small workload (20,000 rows written and indexed, 2,000 indexed lookups). Plus
 * what initdb leaves in the process that runs it, the way PGlite runs it on a first start. Prints
 * measured figures only.
 */
import { execFileSync, fork } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

interface Variant {
  name: string;
  /** startParams beyond PGlite's defaults. */
  params?: string[];
  initialMemory?: number;
  /** Open a directory that does not exist yet: PGlite runs initdb in this process. */
  fresh?: boolean;
  /** Measure the process without starting PGlite. */
  baseline?: boolean;
}

interface Measured {
  openMb: number;
  loadedMb: number;
}

const VARIANTS: Variant[] = [
  { name: 'node alone, PGlite not started', baseline: true },
  { name: 'PGlite defaults (shared_buffers 128MB)' },
  { name: 'first start: initdb in the same process', fresh: true },
  { name: 'shared_buffers=64MB', params: ['-c', 'shared_buffers=64MB'] },
  { name: 'shared_buffers=32MB', params: ['-c', 'shared_buffers=32MB'] },
  { name: 'shared_buffers=16MB', params: ['-c', 'shared_buffers=16MB'] },
  { name: 'shared_buffers=8MB', params: ['-c', 'shared_buffers=8MB'] },
  { name: 'shared_buffers=16MB, max_connections=5', params: ['-c', 'shared_buffers=16MB', '-c', 'max_connections=5'] },
  { name: 'shared_buffers=16MB, wal_buffers=64kB', params: ['-c', 'shared_buffers=16MB', '-c', 'wal_buffers=64kB'] },
  { name: 'shared_buffers=16MB, work_mem=1MB', params: ['-c', 'shared_buffers=16MB', '-c', 'work_mem=1MB'] },
  { name: 'initialMemory 256MB (default 128MB)', initialMemory: 256 * 2 ** 20 },
  { name: 'initialMemory 64MB', initialMemory: 64 * 2 ** 20 },
];

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

async function measure(variant: Variant, dataDir: string): Promise<Measured> {
  if (variant.baseline) return { openMb: rssMb(), loadedMb: rssMb() };
  const options: PGliteOptions = { dataDir };
  if (variant.params) options.startParams = [...PGlite.defaultStartParams, ...variant.params];
  if (variant.initialMemory) options.initialMemory = variant.initialMemory;
  const pglite = await PGlite.create(options);
  const openMb = rssMb();
  await pglite.exec(`create table t (id int primary key, name text, doc jsonb);
    insert into t select i, 'user' || i, jsonb_build_object('i', i, 'pad', repeat('x', 200)) from generate_series(1, 20000) i;
    create index on t (lower(name)); analyze t;`);
  for (let i = 0; i < 2000; i++) await pglite.query('select * from t where lower(name) = lower($1)', [`USER${i * 7}`]);
  const loadedMb = rssMb();
  await pglite.close();
  return { openMb, loadedMb };
}

if (process.argv[2] === 'variant') {
  const variant = JSON.parse(process.argv[3] ?? '{}') as Variant;
  const dir = process.argv[4] ?? '';
  const failed = (e: unknown) => process.send?.({ error: (e as Error).message }, () => process.exit(0));
  process.on('unhandledRejection', failed); // PGlite's start-up fails outside the promise it returns
  measure(variant, dir).then((m) => process.send?.({ m }, () => process.exit(0)), failed);
} else {
  const root = mkdtempSync(path.join(tmpdir(), 'idsync-pglite-memory-'));
  try {
    const template = path.join(root, 'template');
    // initdb once, in a process of its own, as idsync does.
    execFileSync(process.execPath, ['--input-type=module', '-e', `import { PGlite } from '@electric-sql/pglite'; await (await PGlite.create(${JSON.stringify(template)})).close();`], { cwd: fileURLToPath(new URL('../../../', import.meta.url)) });
    const pglitePackage = path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json');
    const { version } = JSON.parse(readFileSync(pglitePackage, 'utf8')) as { version: string };
    console.log(`node ${process.version}, @electric-sql/pglite ${version}; each line a fresh process`);
    console.log(`${'variant'.padEnd(44)} ${'RSS open'.padStart(9)} ${'RSS after'.padStart(10)}`);
    for (const variant of VARIANTS) {
      const dir = path.join(root, `d-${VARIANTS.indexOf(variant)}`);
      if (!variant.fresh) cpSync(template, dir, { recursive: true });
      const child = fork(fileURLToPath(import.meta.url), ['variant', JSON.stringify(variant), dir], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const answer = await new Promise<{ m?: Measured; error?: string }>((resolve) => child.once('message', (m) => resolve(m as { m?: Measured; error?: string })));
      await new Promise((resolve) => child.once('exit', resolve));
      if (answer.m) {
        const { openMb, loadedMb } = answer.m;
        console.log(`${variant.name.padEnd(44)} ${`${openMb} MB`.padStart(9)} ${`${loadedMb} MB`.padStart(10)}`);
      } else {
        console.log(`${variant.name.padEnd(44)} fails: ${answer.error}`);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
