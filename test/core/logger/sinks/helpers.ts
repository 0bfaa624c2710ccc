/** Shared helpers of the asynchronous sink tests. */
import type { LogEvent } from '../../../../src/core/logger/event.ts';
import { AsyncLogSink } from '../../../../src/core/logger/sinks/async-log-sink.ts';
import type { AsyncLogSinkOptions, AsyncLogSinkStats } from '../../../../src/core/logger/sinks/async-log-sink-options.ts';

/** A plain event with a sequence number in its payload. */
export function ev(seq: number, extra: Record<string, string | number> = {}): LogEvent {
  return { level: 20, meta: { namespace: 'test', name: 'tick' }, timestamp: 1_700_000_000_000 + seq, payload: { seq, ...extra } };
}

/** Sequence numbers of events. */
export const seqs = (events: readonly LogEvent[]): number[] => events.map((e) => e.payload.seq as number);

type DeliverFn = (batch: readonly LogEvent[], signal: AbortSignal) => Promise<void> | void;

/** An AsyncLogSink whose delivery is a function the test controls; it records delivered batches. */
export class ProbeSink extends AsyncLogSink {
  readonly batchesSeen: LogEvent[][] = [];
  readonly delivered: LogEvent[] = [];
  starts = 0;
  stops = 0;
  deliverFn: DeliverFn | undefined;
  startFn: (() => Promise<void> | void) | undefined;

  constructor(options: AsyncLogSinkOptions = {}, deliverFn?: DeliverFn) {
    super(options);
    this.deliverFn = deliverFn;
  }

  protected override async deliver(batch: readonly LogEvent[], signal: AbortSignal): Promise<void> {
    if (this.deliverFn !== undefined) await this.deliverFn(batch, signal);
    this.batchesSeen.push([...batch]);
    this.delivered.push(...batch);
  }

  protected override async onStart(): Promise<void> {
    this.starts++;
    if (this.startFn !== undefined) await this.startFn();
  }

  protected override onStop(): void {
    this.stops++;
  }
}

/** Asserts the accounting invariant. */
export function checkInvariant(s: AsyncLogSinkStats): void {
  const sum = s.delivered + s.dropped + s.failed + s.pending;
  if (s.accepted !== sum) throw new Error(`accounting broken: accepted ${s.accepted} != ${sum} (${JSON.stringify(s)})`);
  const byReason = Object.values(s.droppedByReason).reduce((a, b) => a + b, 0);
  if (byReason !== s.dropped) throw new Error(`drops by reason ${byReason} != dropped ${s.dropped}`);
  if (s.pending !== s.queued + s.inFlight) throw new Error('pending != queued + inFlight');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A promise and its resolver. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => {
    open = r;
  });
  return { promise, open };
}
