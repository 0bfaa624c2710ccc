/**
 * The per-event sampling step of a `LogContext`: runs the sampler a cached decision named (see
 * `Decision` in `decision-cache.ts`), counts what it samples out, and hands the kept event the
 * correlation ids it read, so the provider is not asked twice. Internal.
 *
 * @module
 */
import { reportDiagnostic } from '../../diagnostics.ts';
import { currentLogCorrelation } from '../correlation.ts';
import { composeEventName } from '../event.ts';
import type { LogEventMeta, LogOutcome } from '../event.ts';
import type { LogEventSampler, LogSamplingTarget } from '../policy/log-event-sampler.ts';

/** The context as the sampling step sees it. */
export interface SamplingSite {
  readonly namespace: string;
  readonly stats: { sampledOut: number; policyFailures: number };
}

/**
 * Runs `sampler` on one event: `false` when it is sampled out (counted in `sampledOut`) or the
 * sampler threw (reported, counted in `policyFailures`: the event is dropped, as when the policy
 * throws); otherwise `true`, or the correlation ids read for the sampler (a kept event carries them).
 */
export function sampleOnce(
  site: SamplingSite,
  sampler: LogEventSampler,
  meta: LogEventMeta,
  level: number,
  outcome: LogOutcome | undefined,
  sampleKey: string | undefined,
  target: LogSamplingTarget | undefined,
): boolean | Readonly<Record<string, string>> {
  try {
    const correlation = sampler.usesCorrelation ? currentLogCorrelation() : undefined;
    if (sampler.sample(meta, level, outcome, sampleKey, correlation, target) === true) return correlation ?? true;
    site.stats.sampledOut++;
    return false;
  } catch (error) {
    site.stats.policyFailures++;
    reportDiagnostic({
      component: 'LogContext',
      code: 'policy.failed',
      message: `the event policy's sampler threw for '${composeEventName(meta)}'; the event is dropped`,
      error,
      details: { namespace: site.namespace },
    });
    return false;
  }
}
