/**
 * `npm run bench` — every benchmark, one after another (each in its own process, so that one's
 * heap and database do not weigh on the next), then one table of the figures they reported
 * (`#figure` lines, see figure.ts): the measured value, the floor or ceiling measured beside it in
 * the same run, and their ratio. The benches' own lines are passed through as they run.
 *
 *   npm run bench -- [reconcile,scim,ldap,cloud,embedded,preview]
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { FIGURE_PREFIX, type Figure } from './figure.js';

const BENCHES = ['reconcile', 'scim', 'ldap', 'cloud', 'embedded', 'preview'];
const chosen = process.argv[2]?.split(',') ?? BENCHES;

function runBench(name: string): Promise<{ figures: Figure[]; code: number | null; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(`./${name}.js`, import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    const figures: Figure[] = [];
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith(FIGURE_PREFIX)) figures.push(JSON.parse(line.slice(FIGURE_PREFIX.length)) as Figure);
        else process.stdout.write(`  ${line}\n`);
      }
    });
    child.on('exit', (code) => resolve({ figures, code, seconds: (performance.now() - started) / 1000 }));
  });
}

function formatValue(value: number, unit: string): string {
  const digits = unit === 's' ? 2 : 0;
  return `${value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

function formatRatio(figure: Figure): string {
  if (!figure.reference) return '—';
  const ratio = figure.value / figure.reference.value;
  return figure.unit === 'MB' || figure.unit === 's' ? `${ratio.toFixed(2)} ×` : `${(ratio * 100).toFixed(0)} %`;
}

const rows: string[] = [];
const failed: string[] = [];
for (const name of chosen) {
  console.log(`\n== bench:${name}`);
  const { figures, code, seconds } = await runBench(name);
  console.log(`== bench:${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s`);
  if (code !== 0) failed.push(name);
  for (const f of figures) {
    const reference = f.reference ? `${formatValue(f.reference.value, f.unit)} (${f.reference.name})` : '—';
    rows.push(`| ${f.bench} | ${f.name} | ${formatValue(f.value, f.unit)} | ${reference} | ${formatRatio(f)} |`);
  }
}

console.log(`\nidsync benchmarks — ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GB`);
console.log('| bench | figure | measured | floor or ceiling, same run | ratio |');
console.log('|---|---|---:|---:|---:|');
for (const row of rows) console.log(row);
if (failed.length > 0) {
  console.log(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
