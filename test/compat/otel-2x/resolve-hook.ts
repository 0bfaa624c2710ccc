/** Module resolution hook (see register-hook.ts): `@opentelemetry/<name>` resolves from this folder. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = import.meta.dirname;
const packages = new Set(Object.keys((JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies));
const parent = pathToFileURL(join(here, 'package.json')).href;

type Next = (specifier: string, context: { parentURL?: string }) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: Next): Promise<{ url: string }> {
  // Resolve as if imported from this folder: its node_modules holds the previous line.
  return packages.has(specifier) ? next(specifier, { ...context, parentURL: parent }) : next(specifier, context);
}
