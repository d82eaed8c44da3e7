/**
 * Reading a synthesized collector back (its workload, container, ConfigMap and parsed
 * configuration), and the checks every test runs on it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { envReferences, otelcolProblems } from './otelcol-schemas';
import { validateManifests } from '../util/k8s-schema';
import { allContainers, podSpecOf, restrictedProblems } from '../util/restricted';
import { listFiles, synth } from '../util/synth';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

export interface Collected {
  readonly manifests: any[];
  readonly workload: any;
  readonly spec: any;
  readonly collector: any;
  readonly configMap: any;
  readonly text: string;
  readonly config: any;
  /** The app container named `app` (or the first regular container that is not the collector). */
  readonly app: any;
}

/** The collector named `container` in the manifests, with its configuration. */
export function collected(manifests: any[], container = 'otel-collector'): Collected {
  const workload = manifests.find((m) => WORKLOAD_KINDS.includes(m.kind) && allContainers(podSpecOf(m)).some((c: any) => c.name === container));
  if (!workload) throw new Error(`no workload with a container "${container}"`);
  const spec = podSpecOf(workload);
  const collector = allContainers(spec).find((c: any) => c.name === container);
  const mount = collector.volumeMounts.find((m: any) => m.mountPath === '/etc/otelcol');
  const volume = spec.volumes.find((v: any) => v.name === mount.name);
  const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === volume.configMap.name);
  const text = configMap.data['config.yaml'];
  const app = spec.containers.find((c: any) => c.name === 'app') ?? spec.containers.find((c: any) => c.name !== container);
  return { manifests, workload, spec, collector, configMap, text, config: parse(text), app };
}

/** Every problem of a synthesized collector that every test should find absent. */
export function collectorProblems(c: Collected): string[] {
  const problems = [
    ...restrictedProblems(c.spec, [c.collector.name]),
    ...otelcolProblems(c.config),
  ];
  // Every ${env:NAME} the configuration names is a variable of the collector.
  const env = new Set((c.collector.env ?? []).map((e: any) => e.name));
  for (const name of envReferences(c.text)) if (!env.has(name)) problems.push(`\${env:${name}} is not a variable of the collector`);
  // Every CA file it names is mounted read-only.
  for (const m of c.text.matchAll(/ca_file: (\S+)/g)) {
    const file = m[1];
    const holder = c.collector.volumeMounts.find((v: any) => file.startsWith(`${v.mountPath}/`));
    if (!holder || !holder.readOnly) problems.push(`ca_file ${file} is not on a read-only mount of the collector`);
  }
  // $(NAME) in the app's OTEL_RESOURCE_ATTRIBUTES refers to a variable declared before it.
  for (const container of c.spec.containers) {
    const list: any[] = container.env ?? [];
    list.forEach((e, i) => {
      for (const ref of String(e.value ?? '').matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
        if (!list.slice(0, i).some((d) => d.name === ref[1])) problems.push(`container "${container.name}": ${e.name} names $(${ref[1]}) before it is declared`);
      }
    });
  }
  return problems;
}

/** Synthesizes, and checks the collector as every test should. */
export function synthCollector(app: App, container = 'otel-collector'): Collected {
  const { manifests } = synth(app);
  const c = collected(manifests, container);
  expect(collectorProblems(c)).toEqual([]);
  return c;
}

/**
 * The keys of a PodMonitor (monitoring.coreos.com/v1) that exposeMetrics writes, from the
 * Prometheus Operator's API reference (PodMonitorSpec, PodMetricsEndpoint).
 */
const POD_MONITOR_SPEC = ['selector', 'podMetricsEndpoints', 'namespaceSelector', 'jobLabel', 'podTargetLabels', 'sampleLimit'];
const POD_METRICS_ENDPOINT = ['port', 'portNumber', 'targetPort', 'path', 'scheme', 'interval', 'scrapeTimeout', 'honorLabels', 'relabelings', 'metricRelabelings'];

/** Problems of a PodMonitor manifest; [] when none. */
export function podMonitorProblems(m: any): string[] {
  const problems: string[] = [];
  if (m.apiVersion !== 'monitoring.coreos.com/v1') problems.push(`apiVersion ${m.apiVersion}`);
  for (const key of Object.keys(m)) if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(key)) problems.push(`unknown key ${key}`);
  for (const key of Object.keys(m.spec ?? {})) if (!POD_MONITOR_SPEC.includes(key)) problems.push(`spec: unknown key ${key}`);
  if (!m.spec?.selector) problems.push('spec.selector missing');
  for (const e of m.spec?.podMetricsEndpoints ?? []) {
    for (const key of Object.keys(e)) if (!POD_METRICS_ENDPOINT.includes(key)) problems.push(`podMetricsEndpoints: unknown key ${key}`);
    if (typeof e.port !== 'string') problems.push('podMetricsEndpoints: port must be a port name');
  }
  return problems;
}

/**
 * Synthesizes an app that holds PodMonitors (a custom resource the Kubernetes schema does not
 * know): the PodMonitors are checked against their own table, everything else as `synth` does.
 */
export function synthWithPodMonitors(app: App): { manifests: any[]; podMonitors: any[] } {
  app.synth();
  const manifests: any[] = [];
  for (const file of listFiles(app.outdir)) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(app.outdir, file), 'utf8'))) {
      const value = doc.toJSON();
      if (value !== null) manifests.push(value);
    }
  }
  const podMonitors = manifests.filter((m) => m.kind === 'PodMonitor');
  validateManifests(manifests.filter((m) => m.kind !== 'PodMonitor'));
  for (const m of podMonitors) expect(podMonitorProblems(m)).toEqual([]);
  return { manifests, podMonitors };
}
