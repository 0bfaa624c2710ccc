/**
 * Turns the change of a bucketed histogram over one interval back into StatsD observations.
 *
 * Snapshots hold explicit-bucket histograms, not raw observations, so the aggregated mode cannot
 * resend the exact values. It sends, for each bucket that gained `n` observations, `n` lines of one
 * representative value inside that bucket, so the daemon's count is exact and its percentiles are
 * right to the bucket. Each bucket's range is narrowed to the histogram's [min, max]; representatives
 * start at the middle of that range and move, each inside its own range and in proportion to its
 * width, until their total is the interval's exact sum. When every observation of the interval fell
 * into one bucket, the value sent is the exact interval mean.
 */

/** Receives one representative value and how many observations it stands for. */
export type ReplayEmit = (value: number, times: number) => void;

/** Result of {@link replayHistogramDelta}. */
export interface ReplayResult {
  /** Lines emitted (sum of `times`). */
  readonly sent: number;
  /** Observations of the interval that were not emitted because of the cap. */
  readonly notSent: number;
}

/**
 * Emits the interval's observations, at most `cap` lines in all. Over the cap, lines are shared out
 * among buckets in proportion to their counts (largest remainder), so the shape is kept and the
 * count falls short by `notSent`.
 *
 * @param bounds - explicit bucket upper bounds (strictly increasing).
 * @param deltaCounts - per-bucket counts gained in the interval (`bounds.length + 1` entries).
 * @param deltaSum - the interval's sum of observations.
 * @param min - the histogram's smallest observation so far, if known.
 * @param max - the histogram's largest observation so far, if known.
 */
export function replayHistogramDelta(
  bounds: readonly number[],
  deltaCounts: readonly number[],
  deltaSum: number,
  min: number | undefined,
  max: number | undefined,
  cap: number,
  emit: ReplayEmit,
): ReplayResult {
  const n = deltaCounts.length;
  let total = 0;
  let nonEmpty = 0;
  for (let i = 0; i < n; i++) {
    const c = deltaCounts[i]!;
    if (c > 0) {
      total += c;
      nonEmpty++;
    }
  }
  if (total === 0) return { sent: 0, notSent: 0 };
  const mean = deltaSum / total;

  const hasMin = min !== undefined && Number.isFinite(min);
  const hasMax = max !== undefined && Number.isFinite(max);
  const lo = new Array<number>(n);
  const hi = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    // The bucket's own range: (bounds[i-1], bounds[i]]; the edge buckets are open-ended.
    let l = i === 0 ? -Infinity : bounds[i - 1]!;
    let h = i === bounds.length ? Infinity : bounds[i]!;
    // Every observation lies within [min, max] (cumulative, so also true for the interval).
    if (hasMin && min > l && min <= h) l = min;
    if (hasMax && max < h && max >= l) h = max;
    if (l === -Infinity) l = Number.isFinite(h) ? Math.min(h, mean) : mean;
    if (h === Infinity) h = Math.max(l, mean);
    lo[i] = l;
    hi[i] = h;
  }

  const rep = new Array<number>(n);
  let midSum = 0;
  for (let i = 0; i < n; i++) {
    rep[i] = (lo[i]! + hi[i]!) / 2;
    const c = deltaCounts[i]!;
    if (c > 0) midSum += c * rep[i]!;
  }
  // Move the representatives towards the exact sum, each inside its bucket, in proportion to the
  // bucket's width (the uncertainty of its values); buckets that hit a bound drop out and the rest
  // take the remainder (at most one round per bucket).
  if (Number.isFinite(deltaSum)) {
    let residual = deltaSum - midSum;
    for (let round = 0; round <= n && Math.abs(residual) > 1e-9 * Math.max(1, Math.abs(deltaSum)); round++) {
      let weight = 0;
      for (let i = 0; i < n; i++) {
        const c = deltaCounts[i]!;
        if (c > 0 && (residual > 0 ? rep[i]! < hi[i]! : rep[i]! > lo[i]!)) weight += c * (hi[i]! - lo[i]!);
      }
      if (!(weight > 0)) break;
      const perWidth = residual / weight;
      for (let i = 0; i < n; i++) {
        const c = deltaCounts[i]!;
        if (c <= 0 || !(residual > 0 ? rep[i]! < hi[i]! : rep[i]! > lo[i]!)) continue;
        const next = clamp(rep[i]! + perWidth * (hi[i]! - lo[i]!), lo[i]!, hi[i]!);
        residual -= c * (next - rep[i]!);
        rep[i] = next;
      }
    }
  }
  if (nonEmpty === 1 && Number.isFinite(mean)) {
    for (let i = 0; i < n; i++) if (deltaCounts[i]! > 0) rep[i] = mean;
  }

  if (total <= cap) {
    for (let i = 0; i < n; i++) {
      const c = deltaCounts[i]!;
      if (c > 0) emit(rep[i]!, c);
    }
    return { sent: total, notSent: 0 };
  }

  // Over the cap: proportional shares, largest remainder first.
  const share = new Array<number>(n).fill(0);
  const rest: { i: number; r: number }[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const c = deltaCounts[i]!;
    if (c <= 0) continue;
    const exact = (c * cap) / total;
    share[i] = Math.floor(exact);
    given += share[i]!;
    rest.push({ i, r: exact - share[i]! });
  }
  rest.sort((a, b) => b.r - a.r);
  for (let k = 0; given < cap && k < rest.length; k++) {
    share[rest[k]!.i]!++;
    given++;
  }
  for (let i = 0; i < n; i++) if (share[i]! > 0) emit(rep[i]!, share[i]!);
  return { sent: given, notSent: total - given };
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
