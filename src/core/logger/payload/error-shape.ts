/**
 * The structural error shape of the payload walker (see `normalizeError` in `LogPayloadProcessor`
 * for the fields). Every part is charged to the call's budgets like any other value: one unit of
 * `maxNodes` and its size in `maxBytes` for each of `name`, `message`, `code`, `stack`, each own
 * field, `cause` and `errors`. `type` is always kept (it says what the object was); parts that no
 * longer fit are counted in `__more__: 'N more keys'`. An error is remembered as shown, so a later
 * reference to it in the same call is `'[Repeated: Type]'`. Internal.
 */
import type { JsonObject } from '../json.ts';
import { CAUSE_LIMIT_MARKER, MORE_KEYS_KEY, moreKeys, truncateString, unreadable } from './markers.ts';
import type { PayloadWalker } from './payload-walker.ts';
import { walkFields } from './walker-collections.ts';
import { CUT_MARKER_BYTES, NORMAL_STACK_FRAMES, READ_FAILED, lastReadError, read, trimFrames, typeName } from './walker-support.ts';

/** Error keys shown by the structural error shape, not repeated as own fields. */
const ERROR_OWN_SKIP: ReadonlySet<string> = new Set(['name', 'message', 'stack', 'cause', 'errors', 'code', 'type']);

/** `{ type, name?, message, code?, stack?, ...own fields, fields?, cause?, errors?, __more__? }`. */
export function errorShape(w: PayloadWalker, e: Error, depth: number): JsonObject {
  w.seen(e);
  const s = w.s;
  const hide = s.redactErrorFields;
  const out: JsonObject = {};
  const type = typeName(e);
  w.spend(8); // `type` is kept even when the budgets are spent: it says what the object was
  out.type = w.str(type);
  let dropped = 0;
  const name = read(e, 'name');
  if (typeof name === 'string' && name !== type && name !== 'Error' && name.length > 0) {
    if (w.spend(8)) out.name = hide.name ? w.mark(s.redactedValue) : w.str(name);
    else dropped++;
  }
  if (w.spend(11)) {
    const message = read(e, 'message');
    out.message = hide.message
      ? w.mark(s.redactedValue)
      : message === READ_FAILED
        ? w.mark(unreadable(lastReadError()))
        : typeof message === 'string'
          ? w.str(message) // free text: not searched for URLs
          : (w.value(message, depth + 1, 0) ?? w.mark(''));
  } else {
    dropped++;
  }
  const code = read(e, 'code');
  if (code !== undefined && code !== READ_FAILED) {
    if (w.spend(8)) {
      const nc = hide.code ? w.mark(s.redactedValue) : w.value(code, depth + 1, 0);
      if (nc !== undefined) out.code = nc;
    } else {
      dropped++;
    }
  }
  dropped += errorStack(w, e, out);
  let keys: readonly string[] = [];
  try {
    keys = w.ownKeys(e);
  } catch {
    // A Proxy around an error: no own fields.
  }
  if (keys.length > 0) {
    dropped += walkFields(w, e, keys, out, depth, ERROR_OWN_SKIP);
    // An own field named `type` would overwrite the class name: it is kept as `fields.type`
    // (one level deeper, so its value is normalised one level deeper too).
    if (keys.includes('type')) {
      if (w.spend(9)) {
        const fields: JsonObject = {};
        if (walkFields(w, e, ['type'], fields, depth + 1, undefined) > 0) fields[MORE_KEYS_KEY] = w.mark(moreKeys(1));
        out.fields = fields;
      } else {
        dropped++;
      }
    }
  }
  dropped += errorCause(w, e, out, depth);
  const errors = read(e, 'errors');
  if (Array.isArray(errors)) {
    if (w.spend(9)) out.errors = hide.errors ? w.mark(s.redactedValue) : w.item(errors, depth + 1);
    else dropped++;
  }
  if (dropped > 0) out[MORE_KEYS_KEY] = w.mark(moreKeys(dropped));
  return out;
}

/** For an error that is its own provider (`MvxError`): its stack and cause when the provider gave none. */
export function errorExtras(w: PayloadWalker, e: Error, out: JsonObject, depth: number): void {
  let dropped = errorStack(w, e, out);
  if (!Object.hasOwn(out, 'cause')) dropped += errorCause(w, e, out, depth);
  if (dropped > 0 && !Object.hasOwn(out, MORE_KEYS_KEY)) out[MORE_KEYS_KEY] = w.mark(moreKeys(dropped));
}

/** Adds `stack` by verbosity; returns 1 when it did not fit the budgets, else 0. */
function errorStack(w: PayloadWalker, e: Error, out: JsonObject): number {
  const s = w.s;
  if (s.verbosity === 'MINIMAL' || Object.hasOwn(out, 'stack')) return 0;
  const stack = read(e, 'stack');
  if (typeof stack !== 'string' || stack.length === 0) return 0;
  if (!w.spend(9)) return 1;
  if (s.redactErrorFields.stack) {
    out.stack = w.mark(s.redactedValue);
    return 0;
  }
  out.stack = stackText(w, s.verbosity === 'NORMAL' ? trimFrames(stack, NORMAL_STACK_FRAMES) : stack, s.maxStackLength);
  return 0;
}

/** Adds `cause`, up to `maxErrorCauses` links; returns 1 when it did not fit the budgets, else 0. */
function errorCause(w: PayloadWalker, e: Error, out: JsonObject, depth: number): number {
  const cause = read(e, 'cause');
  if (cause === undefined || cause === READ_FAILED) return 0;
  if (!w.spend(9)) return 1;
  const s = w.s;
  if (s.redactErrorFields.cause) {
    out.cause = w.mark(s.redactedValue);
    return 0;
  }
  if (w.causes >= s.maxErrorCauses) {
    out.cause = w.mark(CAUSE_LIMIT_MARKER);
    return 0;
  }
  w.causes++;
  try {
    out.cause = w.item(cause, depth + 1);
  } finally {
    w.causes--;
  }
  return 0;
}

/** How many `\n` a text holds. */
function lineBreaks(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * An error stack of at most `max` code units, cut to the room left. A stack is the one text
 * certain to hold many line breaks (each written `\n` in JSON), so it is charged twice its
 * length rather than scanned (a scan costs ~0.1 µs a stack); only a stack that does not fit so
 * is measured exactly and cut.
 */
function stackText(w: PayloadWalker, stack: string, max: number): string {
  let out = stack.length > max ? truncateString(stack, max) : stack;
  let cost = 2 * out.length + 2;
  if (cost > w.room) {
    cost = out.length + lineBreaks(out) + 2;
    if (cost > w.room) {
      // Half the room: enough even if every character kept were a line break.
      out = truncateString(stack, Math.max(Math.floor((w.room - 2 - CUT_MARKER_BYTES) / 2), 0));
      cost = out.length + lineBreaks(out) + 2;
    }
  }
  w.room -= cost;
  return out;
}
