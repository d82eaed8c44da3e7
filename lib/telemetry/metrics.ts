import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { checkOptions } from '../engine/input';
import { kplus, TCP, workloadOrScope } from '../engine/kplus';
import { failOn } from '../engine/pod-facts';
import { PodRegistry } from '../engine/registry';
import { portNumberProblem, quote } from '../engine/validation/syntax';

/** How a Prometheus finds the pods' metrics endpoint. */
export enum MetricsDiscovery {
  /**
   * The conventional `prometheus.io/scrape`, `prometheus.io/port` and `prometheus.io/path` pod
   * annotations, which the `kubernetes-pods` job of the Prometheus Helm chart (and many agents)
   * reads. One endpoint per pod.
   * @see https://github.com/prometheus-community/helm-charts/blob/main/charts/prometheus/values.yaml
   */
  ANNOTATIONS = 'annotations',
  /**
   * A `PodMonitor` (monitoring.coreos.com/v1) for the Prometheus Operator: it selects the pods
   * by the workload's selector labels and the port by its name, so the port must be named.
   * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.PodMonitor
   */
  POD_MONITOR = 'podMonitor',
}

/** Options of `exposeMetrics`. */
export interface ExposeMetricsOptions {
  /** The metrics port: a TCP port a container of the pod declares. */
  readonly port: number;

  /**
   * The path of the metrics endpoint.
   * @default '/metrics'
   */
  readonly path?: string;

  /**
   * Annotations or a PodMonitor.
   * @default MetricsDiscovery.ANNOTATIONS
   */
  readonly via?: MetricsDiscovery;

  /**
   * How often to scrape (PodMonitor only; the annotations have no such key).
   * @default - the Prometheus' own scrape interval
   */
  readonly interval?: Duration;

  /**
   * Labels of the PodMonitor, for the Prometheus' `podMonitorSelector` (kube-prometheus-stack
   * selects `release: <its release name>` by default).
   * @default - none
   */
  readonly podMonitorLabels?: Record<string, string>;
}

const PATH = /^\/[A-Za-z0-9_.~/-]*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The annotation keys of `MetricsDiscovery.ANNOTATIONS`. */
const ANNOTATIONS = ['prometheus.io/scrape', 'prometheus.io/port', 'prometheus.io/path'];

/**
 * What `exposeMetrics` added: pod annotations, or a PodMonitor.
 */
export class MetricsExposure extends Construct {
  /** The PodMonitor, with `MetricsDiscovery.POD_MONITOR`. */
  public readonly podMonitor?: ApiObject;

  /** The port exposed. */
  public readonly port: number;

  /** The path exposed. */
  public readonly path: string;

  public constructor(workload: kplus.AbstractPod | ApiObject, id: string, options: ExposeMetricsOptions) {
    // A JavaScript caller's workload is checked before anything reads it.
    workload = workloadOrScope(workload as unknown as Construct, id, undefined, 'exposeMetrics');
    checkOptions(workload, 'exposeMetrics', 'ExposeMetricsOptions', options);
    // Through the pod's target: a cdk8s-plus workload, or a plain ApiObject (JSON patches).
    const registry = PodRegistry.of(workload);
    const pod = registry.target;
    const fail = failOn(registry, 'exposeMetrics');
    const via = options.via ?? MetricsDiscovery.ANNOTATIONS;
    if (!Object.values(MetricsDiscovery).includes(via)) fail(`via ${quote(String(via))} is not a MetricsDiscovery`);
    const problem = portNumberProblem(options.port);
    if (problem) fail(`port ${quote(options.port)} ${problem}`);
    const path = options.path ?? '/metrics';
    if (typeof path !== 'string' || !PATH.test(path)) fail(`path ${quote(path)} must start with "/" and hold letters, digits and _ . ~ / - only`);

    const containers = [...pod.initContainers, ...pod.containers];
    const declared = containers.flatMap((c) => c.ports.filter((p) => (p.protocol ?? TCP) === TCP).map((p) => ({ container: c.name, port: p })));
    const match = declared.find((d) => d.port.number === options.port);
    if (!match) {
      fail(`port ${options.port} is not a TCP port of the pod (${declared.map((d) => `${d.port.number} of ${quote(d.container)}`).join(', ') || 'it declares none'}); `
        + 'declare the metrics port on its container (portNumber or ports), or give the port it declares');
    }

    if (workload.node.tryFindChild(id)) fail(`port ${options.port} is already exposed; expose each port once`);

    let monitor: { spec: Record<string, unknown>; labels: Record<string, string> } | undefined;
    if (via === MetricsDiscovery.ANNOTATIONS) {
      if (options.interval !== undefined) fail('interval is for a PodMonitor; the prometheus.io annotations have no interval: drop it, or pass via: MetricsDiscovery.POD_MONITOR');
      if (options.podMonitorLabels !== undefined) fail('podMonitorLabels is for a PodMonitor; drop it, or pass via: MetricsDiscovery.POD_MONITOR');
      const existing = pod.podAnnotations();
      const taken = ANNOTATIONS.find((key) => existing[key] !== undefined);
      if (taken) {
        fail(`the pod already has the annotation ${taken}: ${quote(existing[taken])}, and the annotations describe one endpoint per pod; `
          + 'use via: MetricsDiscovery.POD_MONITOR for a second endpoint');
      }
    } else {
      const portName = match!.port.name ?? fail(
        `port ${options.port} of container ${quote(match!.container)} has no name, and a PodMonitor selects ports by name; `
        + `name it (ports: [{ number: ${options.port}, name: 'metrics' }]), or use via: MetricsDiscovery.ANNOTATIONS`);
      const endpoint: Record<string, unknown> = { port: portName, path };
      if (options.interval !== undefined) {
        const ms = options.interval.toMilliseconds();
        if (!Number.isInteger(ms) || ms < 1000) fail(`interval ${options.interval.toHumanString()} is shorter than a second; give Duration.seconds(1) or more`);
        endpoint.interval = ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
      }
      const labels = { ...(options.podMonitorLabels ?? {}) };
      for (const [key, value] of Object.entries(labels)) {
        if (!LABEL_KEY.test(key)) fail(`podMonitorLabels: ${quote(key)} is not a Kubernetes label key`);
        if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) fail(`podMonitorLabels: ${quote(key)} has the value ${quote(value)}, not a label value`);
      }
      monitor = {
        labels,
        spec: { selector: { matchLabels: pod.selectorLabels() }, podMetricsEndpoints: [endpoint] },
      };
    }

    super(workload, id);
    this.port = options.port;
    this.path = path;
    if (monitor) {
      this.podMonitor = new ApiObject(this, 'PodMonitor', {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: { labels: Object.keys(monitor.labels).length > 0 ? monitor.labels : undefined, namespace: workload.metadata.namespace },
        spec: monitor.spec,
      });
    } else {
      pod.addPodAnnotation('prometheus.io/scrape', 'true');
      pod.addPodAnnotation('prometheus.io/port', String(options.port));
      pod.addPodAnnotation('prometheus.io/path', path);
    }
  }
}

/**
 * Tells a Prometheus where the pods' metrics are, without a collector: the conventional
 * `prometheus.io/*` pod annotations, or a `PodMonitor` for the Prometheus Operator.
 *
 * @see https://prometheus-operator.dev/docs/developer/getting-started/#using-podmonitors
 * @example
 * exposeMetrics(web, { port: 9090, path: '/metrics' });
 * exposeMetrics(web, { port: 9090, via: MetricsDiscovery.POD_MONITOR, podMonitorLabels: { release: 'kube-prometheus-stack' } });
 */
export function exposeMetrics(workload: kplus.AbstractPod | ApiObject, options: ExposeMetricsOptions): MetricsExposure {
  // The construct checks the workload and the options (for JavaScript callers) before anything else;
  // the id is made of the port only when it is a number (an object without a prototype, a JavaScript
  // caller's mistake, cannot even become text).
  const port = options?.port;
  return new MetricsExposure(workload, `metrics-${typeof port === 'number' ? port : 'port'}`, options);
}
