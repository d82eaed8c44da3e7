/**
 * The OpenTelemetry Collector itself judges every configuration withTelemetry writes.
 *
 * tools/otelcol is a collector built from the Go modules of the pinned image's release
 * (v0.162.0) with exactly the components withTelemetry uses, registered under the names the
 * contrib distribution gives them. `otelcol validate --config=<file>` unmarshals the file with
 * unknown keys rejected, resolves `${env:…}`, and runs every component's and the service's
 * Validate(): what it accepts, the collector in the pod starts with (binding ports aside).
 *
 * The configuration is read from the synthesized manifests as the collector finds it in the pod:
 * the `--config` argument, through the volume mount, to the ConfigMap key; the collector's
 * environment is the container's, with stand-ins for the downward API and the Secrets.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ROOT } from './tools';
import { examples } from '../../examples/synth';
import {
  TelemetryCa, TelemetryCompression, TelemetryDebugVerbosity, TelemetryExporter, TelemetryOptions, TelemetryProtocol, TelemetrySelfMetrics,
  TelemetrySignal, TelemetrySource, withTelemetry,
} from '../../lib';
import { allContainers, podSpecOf } from '../util/restricted';
import { newApp, synth } from '../util/synth';

/**
 * A cold build of tools/otelcol is far longer than the 15 minutes tools.ts allows other tools:
 * ~1 GB of modules and ~1,800 packages (the prometheus receiver brings Prometheus' service
 * discovery with the AWS, GCP, Azure and Kubernetes SDKs); it took 39 minutes on the 2 shared
 * cores here (2026-12, niced, beside another Go build). Once cached it is instant.
 */
const OTELCOL_BUILD_TIMEOUT_MS = 60 * 60_000;

let otelcol: string;
beforeAll(() => {
  const run = spawnSync('bash', [path.join(ROOT, 'tools', 'otelcol', 'build.sh')], {
    encoding: 'utf8', timeout: OTELCOL_BUILD_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (run.error || run.status !== 0) throw new Error(`tools/otelcol/build.sh failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`);
  otelcol = run.stdout.trim().split('\n').pop() ?? '';
  if (!path.isAbsolute(otelcol) || !fs.existsSync(otelcol)) throw new Error(`tools/otelcol/build.sh printed "${otelcol}", not a binary`);
}, OTELCOL_BUILD_TIMEOUT_MS);

/** Every collector in the synthesized app: its config text and the environment it would run with. */
function collectorsOf(app: App): Array<{ config: string; env: Record<string, string> }> {
  const { manifests } = synth(app);
  const found: Array<{ config: string; env: Record<string, string> }> = [];
  for (const m of manifests) {
    if (!['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'].includes(m.kind)) continue;
    const spec = podSpecOf(m);
    for (const c of allContainers(spec)) {
      if (c.command?.[0] !== '/otelcol-contrib') continue;
      const file = String(c.args.find((a: string) => a.startsWith('--config='))).slice('--config='.length);
      const mount = c.volumeMounts.find((v: any) => file.startsWith(`${v.mountPath}/`));
      const volume = spec.volumes.find((v: any) => v.name === mount.name);
      const configMap = manifests.find((x) => x.kind === 'ConfigMap' && x.metadata.name === volume.configMap.name);
      const env: Record<string, string> = {};
      for (const e of c.env ?? []) {
        env[e.name] = e.value ?? (e.valueFrom?.fieldRef ? `stand-in-${e.valueFrom.fieldRef.fieldPath.replace(/[^a-z]/gi, '-')}` : 'stand-in-secret-value');
      }
      found.push({ config: configMap.data[file.slice(mount.mountPath.length + 1)], env });
    }
  }
  return found;
}

/** The collector's verdict on one configuration: exit status and what it printed. */
function validate(config: string, env: Record<string, string>): { ok: boolean; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-otelcol-'));
  try {
    const file = path.join(dir, 'config.yaml');
    fs.writeFileSync(file, config);
    const run = spawnSync(otelcol, ['validate', `--config=${file}`], {
      encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    });
    if (run.error) throw run.error;
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function web(chart: any) {
  return new kplus.Deployment(chart, 'web', {
    containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }] }],
  });
}

const CASES: Array<[string, (chart: any) => TelemetryOptions]> = [
  ['the defaults', () => ({})],
  ['every exporter, per signal, with a scrape source, credentials and a CA', (chart) => {
    const secret = kplus.Secret.fromSecretName(chart, 'creds', 'backend');
    return {
      serviceName: 'web',
      resourceAttributes: { 'deployment.environment.name': 'prod' },
      sources: [TelemetrySource.prometheus({ port: 9090, path: '/stats/prometheus', interval: Duration.seconds(15) })],
      exporters: [
        TelemetryExporter.otlp({
          endpoint: 'https://otlp.example.com:4317',
          headers: { 'x-api-key': { secret, key: 'api-key' }, 'x-tenant': 'web-team' },
          ca: TelemetryCa.fromSecret(secret, 'ca.crt'),
          compression: TelemetryCompression.ZSTD,
          signals: [TelemetrySignal.TRACES, TelemetrySignal.METRICS],
        }),
        TelemetryExporter.otlp({ endpoint: 'http://tempo.observability:4317', compression: TelemetryCompression.NONE, signals: [TelemetrySignal.TRACES] }),
        TelemetryExporter.otlpHttp({ endpoint: 'https://logs.example.com/otlp', bearerToken: { secret, key: 'token' }, signals: [TelemetrySignal.LOGS] }),
        TelemetryExporter.prometheusRemoteWrite({
          url: 'https://mimir.example.com/api/v1/push',
          externalLabels: { cluster: 'eu-1' },
          resourceToTelemetryConversion: true,
          headers: { 'X-Scope-OrgID': 'web' },
        }),
        TelemetryExporter.debug({ verbosity: TelemetryDebugVerbosity.DETAILED }),
      ],
    };
  }],
  ['own metrics exposed, moved ports, memory and batch given', () => ({
    appProtocol: TelemetryProtocol.GRPC,
    otlpGrpcPort: 14317,
    otlpHttpPort: 14318,
    healthPort: 13134,
    selfMetrics: TelemetrySelfMetrics.exposed(8889),
    memoryLimit: { limit: Size.mebibytes(300), spikeLimit: Size.mebibytes(60), checkInterval: Duration.millis(500) },
    batch: { size: 1000, maxSize: 2000, timeout: Duration.seconds(1) },
  })],
  ['own metrics off, metrics only', () => ({
    selfMetrics: TelemetrySelfMetrics.off(),
    exporters: [TelemetryExporter.prometheusRemoteWrite({ url: 'http://prometheus.monitoring:9090/api/v1/write' })],
  })],
];

describe('otelcol validate', () => {
  test.each(CASES)('accepts %s', (_label, options) => {
    const { app, chart } = newApp();
    withTelemetry(web(chart), options(chart));
    const [collector] = collectorsOf(app);
    const verdict = validate(collector.config, collector.env);
    expect(verdict.output).not.toMatch(/deprecated/i);
    expect(verdict).toMatchObject({ ok: true });
  });

  test.each(examples().filter((e) => e.name.startsWith('telemetry')).map((e) => [e.name, e]))('accepts the example %s', (_name, example) => {
    const { app } = newApp();
    new example.chart(app, example.name);
    const collectors = collectorsOf(app);
    expect(collectors.length).toBeGreaterThan(0);
    for (const c of collectors) expect(validate(c.config, c.env)).toMatchObject({ ok: true });
  });

  // The validator must be able to say no, or the tests above prove nothing.
  test('refuses a misspelt key, an unknown component, and an exporter missing its endpoint', () => {
    const { app, chart } = newApp();
    withTelemetry(web(chart));
    const [collector] = collectorsOf(app);
    const broken = [
      collector.config.replace('limit_mib:', 'limit_mb:'),
      collector.config.replace('debug/0:', 'debugg/0:').replace(/- debug\/0/g, '- debugg/0'),
      collector.config.replace(/debug\/0:\n\s+verbosity: basic/, 'otlp_grpc/0:\n    compression: gzip').replace(/- debug\/0/g, '- otlp_grpc/0'),
    ];
    for (const text of broken) {
      expect(text).not.toBe(collector.config);
      expect(validate(text, collector.env).ok).toBe(false);
    }
  });
});
