/** Default explicit bucket bounds of {@link HistogramMetric}, and bound validation. */
import { MvxConfigError } from '../../errors.ts';

/**
 * Durations in seconds: the OpenTelemetry semantic-convention advice for `http.server.request.duration`
 * and prom-client's default buckets (without 0.005's neighbours beyond 10 s).
 */
export const DEFAULT_SECONDS_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/** Durations in milliseconds: the seconds buckets × 1000. */
export const DEFAULT_MILLISECONDS_BUCKETS: readonly number[] = Object.freeze([5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]);

/** Sizes in bytes: powers of 4 from 64 B to 64 MiB. */
export const DEFAULT_BYTES_BUCKETS: readonly number[] = Object.freeze([
  64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]);

/** The default bounds for a unit: `ms` → milliseconds, `By` → bytes, anything else → seconds. */
export function defaultBucketsForUnit(unit: string | undefined): readonly number[] {
  if (unit === 'ms') return DEFAULT_MILLISECONDS_BUCKETS;
  if (unit === 'By' || unit === 'bytes') return DEFAULT_BYTES_BUCKETS;
  return DEFAULT_SECONDS_BUCKETS;
}

/** Validates bounds: a non-empty list of finite, strictly increasing numbers. */
export function validateBounds(bounds: unknown, option = 'buckets'): readonly number[] {
  if (!Array.isArray(bounds) || bounds.length === 0) throw new MvxConfigError(option, 'must be a non-empty list of finite, strictly increasing numbers');
  for (let i = 0; i < bounds.length; i++) {
    const b: unknown = bounds[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) throw new MvxConfigError(`${option}[${i}]`, 'must be a finite number');
    if (i > 0 && !(b > (bounds[i - 1] as number))) throw new MvxConfigError(`${option}[${i}]`, 'bounds must be strictly increasing');
  }
  return Object.freeze([...(bounds as number[])]);
}

/** Index of the bucket of `v`: the first `i` with `v <= bounds[i]`, or `bounds.length`. */
export function bucketIndex(bounds: readonly number[], v: number): number {
  const n = bounds.length;
  if (n <= 16) {
    // Linear scan: faster than a binary search for the usual dozen bounds.
    for (let i = 0; i < n; i++) if (v <= (bounds[i] as number)) return i;
    return n;
  }
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= (bounds[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
