/** Reads an event's `type` without ever throwing (a throwing getter or Proxy trap gives `undefined`). */
export function eventTypeOf(event: unknown): string | undefined {
  if (event === null || typeof event !== 'object') return undefined;
  try {
    const t = (event as { type?: unknown }).type;
    return typeof t === 'string' ? t : undefined;
  } catch {
    return undefined;
  }
}
