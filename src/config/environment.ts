/**
 * Environment overrides, in the conventions operators know:
 *
 * - `MVX_CONFIG`: the document `configureFromFile()` reads when no path is given;
 * - `MVX_LOG_LEVEL`: the root context's minimum level, over the document's (applied again on reload);
 * - `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key2=value2`, values percent-encoded,
 *   as the OpenTelemetry specification defines them): the resource attributes of
 *   `MvxSystem.resource`, over the document's `service` section; `OTEL_SERVICE_NAME` wins over a
 *   `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, as in the OpenTelemetry SDKs. `service.name` is
 *   also the metrics runtime's namespace when the document gives none.
 *
 * @module
 */
import type { MvxConfigDocument } from './types.ts';

/** The variable naming the configuration file. */
export const CONFIG_PATH_ENV = 'MVX_CONFIG';

/** Parses `OTEL_RESOURCE_ATTRIBUTES`; malformed entries are skipped, as the SDKs do. */
export function parseResourceAttributes(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (raw === undefined) return out;
  for (const entry of raw.split(',')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq).trim();
    let value = entry.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      continue;
    }
    if (key !== '') out[key] = value;
  }
  return out;
}

/** The resource attributes: the document's `service`, then `OTEL_RESOURCE_ATTRIBUTES`, then `OTEL_SERVICE_NAME`. */
export function resourceOf(doc: MvxConfigDocument, env: Readonly<Record<string, string | undefined>>): Readonly<Record<string, string>> {
  const out: Record<string, string> = { ...doc.service?.resourceAttributes };
  if (doc.service?.name !== undefined) out['service.name'] = doc.service.name;
  Object.assign(out, parseResourceAttributes(env['OTEL_RESOURCE_ATTRIBUTES']));
  const name = env['OTEL_SERVICE_NAME']?.trim();
  if (name !== undefined && name !== '') out['service.name'] = name;
  return Object.freeze(out);
}
