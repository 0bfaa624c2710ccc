/**
 * The package as a user gets it: `npm pack` on a fresh copy of the working tree (what a clone would
 * hold: tracked and new files, nothing git ignores, so no dist/), then a consumer project that
 * installs the tarball and the packages the docs tell users to add.
 *
 * The copy shares this checkout's node_modules (a symlink) for the build tools `prepack` runs. The
 * consumer installs with `--prefer-offline`: what `npm ci` put in the npm cache is reused, so the
 * registry is only asked about what the cache lacks. Versions are pinned to this checkout's
 * installed ones, so the consumer builds against what the rest of the suite tests.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command (no shell), resolving with its exit code and output whatever the code. */
export function run(file: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function mustRun(file: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CommandResult> {
  const res = await run(file, args, options);
  if (res.code !== 0) throw new Error(`${file} ${args.join(' ')} (in ${options.cwd}) exited ${res.code}\n${res.stdout}\n${res.stderr}`);
  return res;
}

/** npm, run by the Node running the tests (the project's Node 24 under `npm test`). */
function npm(args: readonly string[], cwd: string, timeoutMs = 180_000): Promise<CommandResult> {
  const cli = process.env.npm_execpath;
  if (cli !== undefined && cli.endsWith('.js')) return mustRun(process.execPath, [cli, ...args], { cwd, timeoutMs });
  return mustRun('npm', args, { cwd, timeoutMs });
}

export interface Packed {
  /** The tarball. */
  readonly tarball: string;
  /** The fresh copy `npm pack` ran in. */
  readonly tree: string;
  /** Whether the copy had a dist/ before `npm pack` (it must not: a clone has none). */
  readonly hadDistBeforePack: boolean;
  /** Paths in the tarball, relative to the package root. */
  readonly files: readonly string[];
}

/**
 * The working tree's files a clone would hold (tracked and new, not ignored), relative to the root.
 * Outside a git checkout: every file but node_modules/, dist/, .tmp/ and .git/.
 */
function cloneFiles(): string[] {
  let listed: string[];
  try {
    listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0');
  } catch {
    listed = filesUnder(root).filter((f) => !/^(node_modules|dist|\.tmp|\.git)[\\/]/.test(f));
  }
  return listed.filter((f) => f !== '' && existsSync(join(root, f)));
}

/** Copies the working tree as a clone would hold it and runs `npm pack` there. */
export async function packFromCleanTree(work: string): Promise<Packed> {
  const tree = join(work, 'tree');
  const listed = cloneFiles();
  for (const f of listed) {
    mkdirSync(dirname(join(tree, f)), { recursive: true });
    cpSync(join(root, f), join(tree, f));
  }
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const hadDistBeforePack = existsSync(join(tree, 'dist'));
  const out = await npm(['pack', '--json', '--pack-destination', work], tree);
  const info = JSON.parse(out.stdout.slice(out.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(work, info[0]!.filename), tree, hadDistBeforePack, files: info[0]!.files.map((f) => f.path) };
}

/** Installed version of a package in this checkout (the version the consumer pins). */
export function installedVersion(name: string): string | undefined {
  const file = join(root, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}

export interface Consumer {
  readonly dir: string;
  readonly packed: Packed;
  /** The installed package's root: node_modules/mvx-common. */
  readonly packageDir: string;
}

/**
 * Creates a consumer project that installs the tarball plus `packages` (names; each pinned to this
 * checkout's installed version) and a tsconfig for type-checking code against the packed types.
 */
export async function createConsumer(work: string, packed: Packed, packages: readonly string[]): Promise<Consumer> {
  const dir = join(work, 'consumer');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mvx-consumer', private: true, type: 'module' }, null, 2));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023', 'ESNext.Disposable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          moduleDetection: 'force',
          types: ['node'],
          strict: true,
          allowJs: true,
          skipLibCheck: false,
          outDir: 'out',
          rootDir: '.',
        },
        include: ['snippets', 'checks'],
      },
      null,
      2,
    ),
  );
  const specs = packages.map((name) => {
    const version = installedVersion(name);
    if (version === undefined) throw new Error(`the docs tell users to install ${name}, but this checkout has no node_modules/${name} to pin it to`);
    return `${name}@${version}`;
  });
  // --ignore-scripts: no native optional builds (hot-shots' unix-dgram); the tarball has no install scripts.
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', packed.tarball, ...specs], dir);
  return { dir, packed, packageDir: join(dir, 'node_modules', 'mvx-common') };
}

/** tsc from this checkout, run over a project. */
export function tsc(project: string): Promise<CommandResult> {
  return run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { cwd: dirname(project) });
}

/** A fresh temporary work directory. */
export function workDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Files under `dir`, recursively, relative to it. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}
