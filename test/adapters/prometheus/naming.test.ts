import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { prometheusName, prometheusUnit, sanitizeLabelName, sanitizeMetricName } from '../../../src/adapters/prometheus/index.ts';

describe('Prometheus names', () => {
  it('turns dots into underscores and adds _total to counters once', () => {
    expect(prometheusName('http.server.requests', '', 'counter', undefined).name).toBe('http_server_requests_total');
    expect(prometheusName('jobs.done_total', '', 'counter', undefined).name).toBe('jobs_done_total');
    expect(prometheusName('jobs.total', '', 'counter', undefined).name).toBe('jobs_total');
  });

  it('appends the dimension after the metric name', () => {
    expect(prometheusName('storage.save', 'attempts', 'counter', undefined).name).toBe('storage_save_attempts_total');
  });

  it('converts ms to seconds with the _seconds suffix, before _total', () => {
    const n = prometheusName('http.server.duration', '', 'histogram', 'ms');
    expect(n).toMatchObject({ name: 'http_server_duration_seconds', type: 'histogram', factor: 1, divisor: 1000 });
    expect(prometheusName('busy.time', '', 'counter', 'ms').name).toBe('busy_time_seconds_total');
  });

  it('does not double a unit suffix already in the name', () => {
    expect(prometheusName('request.duration.seconds', '', 'histogram', 's').name).toBe('request_duration_seconds');
    expect(prometheusName('payload.bytes', '', 'histogram', 'By').name).toBe('payload_bytes');
  });

  it('follows the OpenTelemetry unit table: By, 1 on gauges only, annotations, per-units', () => {
    expect(prometheusUnit('By', 'histogram')).toEqual({ suffix: 'bytes', factor: 1, divisor: 1 });
    expect(prometheusUnit('KiBy', 'gauge')).toEqual({ suffix: 'bytes', factor: 1024, divisor: 1 });
    expect(prometheusUnit('1', 'gauge').suffix).toBe('ratio');
    expect(prometheusUnit('1', 'counter').suffix).toBe('');
    expect(prometheusUnit('1', 'updown').suffix).toBe('');
    expect(prometheusUnit('{requests}', 'counter').suffix).toBe('');
    expect(prometheusUnit('By/s', 'gauge').suffix).toBe('bytes_per_second');
    expect(prometheusUnit('1/s', 'gauge').suffix).toBe('per_second');
    expect(prometheusUnit('min', 'gauge')).toEqual({ suffix: 'seconds', factor: 60, divisor: 1 });
    expect(prometheusUnit('%', 'gauge').suffix).toBe('percent');
    expect(prometheusName('cpu.utilization', '', 'gauge', '1').name).toBe('cpu_utilization_ratio');
  });

  it('names annotated rates per_<unit> ({requests}/s → per_second), not after the denominator alone', () => {
    expect(prometheusUnit('{requests}/s', 'gauge').suffix).toBe('per_second');
    expect(prometheusUnit('{packets}/h', 'counter').suffix).toBe('per_hour');
    expect(prometheusUnit('By/{request}', 'histogram').suffix).toBe('bytes');
    expect(prometheusName('http.server.request.rate', '', 'gauge', '{requests}/s').name).toBe('http_server_request_rate_per_second');
  });

  it('applies a prefix', () => {
    expect(prometheusName('a.b', '', 'gauge', undefined, { prefix: 'myapp_' }).name).toBe('myapp_a_b');
  });

  it('sanitises names and label names to the Prometheus character sets', () => {
    expect(sanitizeMetricName('9lives.été-x')).toBe('_9lives_t_x');
    expect(sanitizeLabelName('otel.metric.overflow')).toBe('otel_metric_overflow');
    expect(sanitizeLabelName('__reserved')).toBe('_reserved');
    expect(sanitizeLabelName('1st')).toBe('_1st');
    expect(sanitizeLabelName('ok_name')).toBe('ok_name');
  });

  it('always gives valid names for arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.constantFrom('counter', 'updown', 'gauge', 'histogram' as const), fc.option(fc.string(), { nil: undefined }), (m, d, kind, unit) => {
        const { name } = prometheusName(m, d, kind, unit);
        expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
        if (kind === 'counter') expect(name.endsWith('_total')).toBe(true);
        const label = sanitizeLabelName(m);
        expect(label).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
        expect(label.startsWith('__')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
