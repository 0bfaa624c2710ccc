/** Reports a value a ready-made metric had to drop (never throws). */
import { reportDiagnostic } from '../../diagnostics.ts';

/** Reports an invalid value read from an event; the event is ignored by that metric. */
export function reportInvalidValue(metric: string, value: unknown, expected: string): void {
  reportDiagnostic({
    component: 'Metric',
    code: 'metric.value_invalid',
    message: `metric '${metric}': value ${safe(value)} dropped, expected ${expected}`,
    details: { metric },
  });
}

function safe(value: unknown): string {
  try {
    return typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    return '<unprintable>';
  }
}
