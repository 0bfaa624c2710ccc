/**
 * Log levels. Numbers follow the Python `logging` scale the reference uses; any integer in between
 * is a valid custom level (e.g. 25 sits between INFO and WARNING).
 */
export const LogLevel = {
  DEBUG: 10,
  INFO: 20,
  WARNING: 30,
  ERROR: 40,
  CRITICAL: 50,
} as const;

/** A standard level name. */
export type LogLevelName = keyof typeof LogLevel;

const NAMES: readonly [number, LogLevelName][] = [
  [50, 'CRITICAL'],
  [40, 'ERROR'],
  [30, 'WARNING'],
  [20, 'INFO'],
  [10, 'DEBUG'],
];

/**
 * The name of a level: the standard name for a standard level, `NAME+n` for a custom level
 * above the nearest standard one (e.g. 25 → `INFO+5`), `DEBUG-n` below DEBUG.
 */
export function logLevelName(level: number): string {
  for (const [value, name] of NAMES) {
    if (level === value) return name;
    if (level > value) return `${name}+${level - value}`;
  }
  return `DEBUG-${10 - level}`;
}

/**
 * Parses a level given as a number or a standard name (case-insensitive). Returns `undefined`
 * for anything else.
 */
export function parseLogLevel(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string') {
    const key = value.trim().toUpperCase();
    if (key === 'WARN') return LogLevel.WARNING;
    if (key === 'FATAL') return LogLevel.CRITICAL;
    return Object.hasOwn(LogLevel, key) ? LogLevel[key as LogLevelName] : undefined;
  }
  return undefined;
}
