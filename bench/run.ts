/**
 * `npm run bench`: runs every `bench/scenarios/*.bench.ts` in its own process on the project's Node,
 * collects the rows and comparisons they print, prints one table of project/peer ratios and writes
 * it to `bench/results.md`. `npm run bench -- NAME...` (or `BENCH_ONLY=name`) runs the scenarios
 * whose file name contains one of the names and only prints the table: a partial run never
 * replaces the full one in `bench/results.md`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchComparison, BenchRow } from './harness.ts';

const dir = join(import.meta.dirname, 'scenarios');
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'usage: npm run bench [-- NAME...]\n\n' +
      'Runs every scenario (or those whose file name contains a NAME; BENCH_ONLY=NAME works too),\n' +
      'each in its own process, and prints the table of mvx-common / peer ratios. Only a full run\n' +
      'writes bench/results.md.\n\nscenarios:\n' +
      all.map((f) => `  ${f.replace(/\.bench\.ts$/, '')}\n`).join(''),
  );
  process.exit(0);
}
const names = [...args.filter((a) => !a.startsWith('-')), ...(process.env.BENCH_ONLY ? [process.env.BENCH_ONLY] : [])];
const unknown = args.filter((a) => a.startsWith('-'));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown option ${unknown.join(' ')} (see --help)\n`);
  process.exit(2);
}
const only = names.length > 0;
const files = all.filter((f) => !only || names.some((n) => f.includes(n)));
if (files.length === 0) {
  process.stderr.write(`bench: no scenario matches ${names.join(', ')} (see --help)\n`);
  process.exit(2);
}

type Cmp = BenchComparison & { ratio: number; met: boolean; tie?: boolean };
const rows: BenchRow[] = [];
const cmps: Cmp[] = [];
const failures: string[] = [];

for (const file of files) {
  process.stderr.write(`bench: ${file} ...\n`);
  const started = Date.now();
  const res = spawnSync(process.execPath, ['--expose-gc', join(dir, file)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  for (const line of (res.stdout ?? '').split('\n')) {
    if (line.startsWith('BENCH_ROW ')) rows.push(JSON.parse(line.slice(10)) as BenchRow);
    else if (line.startsWith('BENCH_CMP ')) cmps.push(JSON.parse(line.slice(10)) as Cmp);
  }
  if (res.status !== 0) {
    failures.push(`${file}: exit ${res.status ?? res.signal}\n${(res.stderr ?? '').slice(-2000)}`);
  }
  process.stderr.write(`bench: ${file} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** The value, and its CPU time when the row has one. */
function fmtRow(r: BenchRow): string {
  return r.cpuNs === undefined ? fmt(r.value, r.mode) : `${fmt(r.value, r.mode)} (CPU ${fmt(r.cpuNs, r.mode)})`;
}

function fmt(ns: number, mode: string): string {
  if (mode === 'count') return String(ns);
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(1)} ns`;
}

const lines: string[] = [];
lines.push(`# Benchmark results`);
lines.push('');
lines.push(
  `Node ${process.version}, ${new Date().toISOString()}, ${files.length} scenario processes. ` +
    `Ratios are mvx-common / peer, measured in the same process run; lower is better. ` +
    `(CPU …): CPU time per operation beside wall time, where the scenario measures it (bench/harness.ts, Timing).`,
);
lines.push('');
lines.push('| scenario | case | mvx-common | peer | peer value | ratio | target | met |');
lines.push('| --- | --- | ---: | --- | ---: | ---: | --- | :---: |');
for (const c of cmps) {
  lines.push(
    `| ${c.scenario} | ${c.case} | ${fmtRow(c.mvx)} | ${c.peer.subject} | ${fmtRow(c.peer)} | ` +
      `${c.ratio.toFixed(2)} | ${c.target} | ${c.tie ? 'yes (tie at the loop floor)' : c.met ? 'yes' : 'NO'} |`,
  );
}
lines.push('');
lines.push('## All rows');
lines.push('');
lines.push('| scenario | case | subject | mode | value |');
lines.push('| --- | --- | --- | --- | ---: |');
for (const r of rows) lines.push(`| ${r.scenario} | ${r.case} | ${r.subject} | ${r.mode} | ${fmtRow(r)} |`);
if (failures.length) {
  lines.push('');
  lines.push('## Failed scenarios');
  for (const f of failures) lines.push('', '```', f, '```');
}
const text = lines.join('\n') + '\n';
process.stdout.write(text);
if (!only) {
  // Keep the section `npm run bench:service` wrote (bench/service/run.ts): it is not rerun here.
  const file = join(import.meta.dirname, 'results.md');
  const service = existsSync(file) ? /<!-- bench:service -->[\s\S]*<!-- \/bench:service -->\n?/.exec(readFileSync(file, 'utf8'))?.[0] : undefined;
  writeFileSync(file, service === undefined ? text : `${text}\n${service}`);
}
process.exitCode = failures.length ? 1 : 0;
