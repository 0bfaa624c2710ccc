/**
 * docker-compose.otel.yml cannot run here (no Docker), so this checks what can be checked without
 * it: every file parses, every local file the stack mounts exists, ports agree between the compose
 * file and the service configurations, the collector's pipelines use only defined components, and
 * the Grafana provisioning and dashboard reference what exists.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_LINGER_S } from '../../examples/demo/config.ts';

const root = join(import.meta.dirname, '..', '..');
const readYaml = (rel: string): any => parse(readFileSync(join(root, rel), 'utf8'));

interface Service {
  image: string;
  volumes?: string[];
  ports?: string[];
  depends_on?: string[];
  command?: string[];
  extra_hosts?: string[];
}
const compose = readYaml('docker-compose.otel.yml') as { services: Record<string, Service> };
const services = compose.services;

/** `host:container[:mode]` volume specs with a local (./) host side. */
function localMounts(service: Service): { host: string; container: string }[] {
  return (service.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([host]) => host!.startsWith('./'))
    .map(([host, container]) => ({ host: host!, container: container! }));
}

/** Published container ports of a service, e.g. `4318` or `8125/udp`. */
function containerPorts(service: Service): string[] {
  return (service.ports ?? []).map((p) => p.split(':').at(-1)!);
}

/** The container file a host path is mounted at (for a file inside a mounted directory too). */
function mountedFile(service: Service, hostFile: string): string | undefined {
  for (const m of localMounts(service)) {
    if (m.host === hostFile) return m.container;
    if (hostFile.startsWith(`${m.host}/`)) return m.container + hostFile.slice(m.host.length);
  }
  return undefined;
}

function portOf(endpoint: string): string {
  return endpoint.split(':').at(-1)!;
}

describe('docker-compose.otel.yml', () => {
  it('defines the collector, Prometheus, Grafana and a trace backend, each with a pinned image', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['otel-collector', 'prometheus', 'grafana', 'jaeger']));
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(s.image.endsWith(':latest'), name).toBe(false);
    }
  });

  it('mounts only local files and directories that exist', () => {
    let checked = 0;
    for (const [name, s] of Object.entries(services)) {
      for (const m of localMounts(s)) {
        expect(existsSync(join(root, m.host)), `${name}: ${m.host}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('depends only on services it defines', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of s.depends_on ?? []) expect(Object.keys(services), `${name} -> ${dep}`).toContain(dep);
    }
  });
});

describe('collector configuration', () => {
  const collector = services['otel-collector']!;
  const configPath = localMounts(collector).find((m) => m.host.endsWith('collector.yaml'))!;
  const config = readYaml(configPath.host) as any;

  it('is the file the collector command loads', () => {
    expect(collector.command?.join(' ')).toContain(`--config=${configPath.container}`);
  });

  it('receives OTLP on the published 4317/4318 and StatsD on the published 8125/udp, on all interfaces', () => {
    const otlp = config.receivers.otlp.protocols;
    expect(otlp.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(otlp.http.endpoint).toBe('0.0.0.0:4318');
    expect(config.receivers.statsd.endpoint).toBe('0.0.0.0:8125');
    const published = containerPorts(collector);
    expect(published).toEqual(expect.arrayContaining(['4317', '4318', '8125/udp', portOf(config.exporters.prometheus.endpoint)]));
    expect(published).toContain(portOf(config.extensions.health_check.endpoint));
  });

  it('pipelines use only defined receivers, processors and exporters, and every one of them is used', () => {
    const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
    const pipelines = config.service.pipelines as Record<string, Record<keyof typeof used, string[]>>;
    expect(Object.keys(pipelines).sort()).toEqual(['logs', 'metrics', 'traces']);
    for (const [name, pipeline] of Object.entries(pipelines)) {
      expect(pipeline.receivers.length, name).toBeGreaterThan(0);
      expect(pipeline.exporters.length, name).toBeGreaterThan(0);
      for (const kind of ['receivers', 'processors', 'exporters'] as const) {
        for (const id of pipeline[kind] ?? []) {
          expect(Object.keys(config[kind] ?? {}), `${name}.${kind}: ${id}`).toContain(id);
          used[kind].add(id);
        }
      }
    }
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      expect([...used[kind]].sort(), kind).toEqual(Object.keys(config[kind]).sort());
    }
    for (const ext of config.service.extensions) expect(Object.keys(config.extensions)).toContain(ext);
  });

  it('sends traces and logs to services of the stack', () => {
    const jaegerHost = config.exporters['otlp/jaeger'].endpoint.split(':')[0];
    expect(Object.keys(services)).toContain(jaegerHost);
    const lokiUrl = new URL(config.exporters['otlphttp/loki'].endpoint);
    expect(Object.keys(services)).toContain(lokiUrl.hostname);
    expect(containerPorts(services[lokiUrl.hostname]!)).toContain(lokiUrl.port);
  });
});

describe('Prometheus configuration', () => {
  const prometheus = services['prometheus']!;
  const configMount = localMounts(prometheus).find((m) => m.host.endsWith('prometheus.yml'))!;
  const config = readYaml(configMount.host) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
  const collectorConfig = readYaml('deploy/otel/collector.yaml') as any;
  const targets = Object.fromEntries(config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]));

  it('is the file Prometheus loads', () => {
    expect(prometheus.command?.join(' ')).toContain(`--config.file=${configMount.container}`);
  });

  it("scrapes the collector's prometheus exporter on its configured port, and the demo's endpoint on the host", () => {
    expect(targets['otel-collector']).toEqual([`otel-collector:${portOf(collectorConfig.exporters.prometheus.endpoint)}`]);
    expect(targets['mvx-demo']).toEqual(['host.docker.internal:9464']);
    expect(prometheus.extra_hosts).toContain('host.docker.internal:host-gateway');
  });

  it('the documented demo command listens beyond loopback, so the container can reach it', () => {
    const header = readFileSync(join(root, 'docker-compose.otel.yml'), 'utf8');
    expect(header).toMatch(/^# {3}OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/localhost:4318 STATSD_HOST=localhost npm run demo -- --host 0\.0\.0\.0$/m);
  });

  it("the demo's default linger covers two scrape intervals, and Grafana knows the interval", () => {
    const interval = (config as unknown as { global: { scrape_interval: string } }).global.scrape_interval;
    const seconds = Number(/^(\d+)s$/.exec(interval)?.[1]);
    expect(DEFAULT_LINGER_S).toBeGreaterThanOrEqual(2 * seconds);
    const datasources = readYaml('deploy/otel/grafana/provisioning/datasources/datasources.yaml') as { datasources: { type: string; jsonData?: { timeInterval?: string } }[] };
    expect(datasources.datasources.find((d) => d.type === 'prometheus')?.jsonData?.timeInterval).toBe(interval);
  });
});

describe('Grafana provisioning', () => {
  const grafana = services['grafana']!;
  const datasources = readYaml('deploy/otel/grafana/provisioning/datasources/datasources.yaml') as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = readYaml('deploy/otel/grafana/provisioning/dashboards/dashboards.yaml') as { providers: { options: { path: string } }[] };
  const dashboardFile = 'deploy/otel/grafana/dashboards/mvx-demo.json';
  const dashboard = JSON.parse(readFileSync(join(root, dashboardFile), 'utf8')) as any;

  it('mounts its provisioning files where Grafana reads them', () => {
    expect(mountedFile(grafana, './deploy/otel/grafana/provisioning/datasources/datasources.yaml')).toBe(
      '/etc/grafana/provisioning/datasources/datasources.yaml',
    );
    expect(mountedFile(grafana, './deploy/otel/grafana/provisioning/dashboards/dashboards.yaml')).toBe(
      '/etc/grafana/provisioning/dashboards/dashboards.yaml',
    );
  });

  it('points the data sources at services of the stack on their published ports', () => {
    expect(datasources.datasources.map((d) => d.type).sort()).toEqual(['jaeger', 'loki', 'prometheus']);
    for (const ds of datasources.datasources) {
      const url = new URL(ds.url);
      expect(Object.keys(services), ds.uid).toContain(url.hostname);
      expect(containerPorts(services[url.hostname]!), ds.uid).toContain(url.port);
    }
  });

  it('loads the dashboard from the directory it is mounted in', () => {
    const path = providers.providers[0]!.options.path;
    expect(mountedFile(grafana, `./${dashboardFile}`)).toBe(`${path}/mvx-demo.json`);
    expect(statSync(join(root, dashboardFile)).size).toBeGreaterThan(0);
  });

  it("the dashboard queries the demo's metrics by their Prometheus names, through a defined data source", () => {
    const uids = new Set(datasources.datasources.map((d) => d.uid));
    const exprs: string[] = [];
    for (const panel of dashboard.panels as { datasource: { uid: string }; targets: { expr: string; datasource: { uid: string } }[] }[]) {
      expect(uids.has(panel.datasource.uid)).toBe(true);
      for (const t of panel.targets) {
        expect(uids.has(t.datasource.uid)).toBe(true);
        exprs.push(t.expr);
      }
    }
    const all = exprs.join('\n');
    for (const name of ['http_server_requests_total', 'http_server_duration_seconds_bucket', 'document_storage_payload_size_bytes_bucket']) {
      expect(all).toContain(name);
    }
    expect(all).toMatch(/sum by \(route, outcome\) \(rate\(http_server_requests_total/);
    const ids = (dashboard.panels as { id: number }[]).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
