import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { TelemetryOptions } from './options';
import { planTelemetry } from './plan';
import { attachProgram, checkProgram } from '../engine/attach';
import { checkOptions } from '../engine/input';
import { kplus, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { PodRegistry } from '../engine/registry';
import { SidecarMode } from '../engine/sidecar-mode';

export * from './exporter';
export * from './metrics';
export * from './options';
export * from './source';

/**
 * Props of the `Telemetry` construct: the options and the workload whose pods get the collector.
 */
export interface TelemetryProps extends TelemetryOptions {
  /**
   * The workload: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

/**
 * An OpenTelemetry Collector beside the app: what the OpenTelemetry Operator's sidecar mode
 * (`sidecar.opentelemetry.io/inject`) does, from TypeScript and without an operator.
 *
 * It adds to the pod: the collector (contrib distribution, a native sidecar by default,
 * restricted security context) with OTLP receivers on 127.0.0.1 (gRPC 4317, HTTP 4318) and,
 * when asked, Prometheus scrapes of the app's metrics port; a memory limiter sized from the
 * container's memory limit (and `GOMEMLIMIT`), the pod's Kubernetes attributes from the
 * downward API, a batch processor; the exporters; the health_check extension on a declared
 * port for the probes; its configuration in a ConfigMap, with a checksum annotation that rolls
 * the pods; and, in the app containers, `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`.
 * Credentials reach the collector only from Secrets.
 *
 * @see https://opentelemetry.io/docs/collector/
 * @see https://github.com/open-telemetry/opentelemetry-operator#sidecar-injection
 * @example
 * new Telemetry(chart, 'otel', {
 *   workload: web,
 *   exporters: [TelemetryExporter.otlp({ endpoint: 'http://gateway.observability:4317' })],
 * });
 */
export class Telemetry extends Construct {
  /** The collector's container; adjust it as any `kplus.Container`. */
  public readonly container: kplus.Container;

  /** How the collector joined the pod: native sidecar or classic container. */
  public readonly mode: SidecarMode;

  /** The ConfigMap holding the collector's configuration. */
  public readonly configMap: kplus.ConfigMap;

  /** The configuration file, as written into the ConfigMap. */
  public readonly config: string;

  /** The `service.name` the app is given. */
  public readonly serviceName: string;

  /** Where the app's SDK sends (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  public readonly appEndpoint: string;

  /** The app containers whose environment was set (none with `appEnv: false`). */
  public readonly appContainers: string[];

  /** The port of the OTLP/gRPC receiver (127.0.0.1). */
  public readonly otlpGrpcPort: number;

  /** The port of the OTLP/HTTP receiver (127.0.0.1). */
  public readonly otlpHttpPort: number;

  /** The port of the health_check extension, declared as `otel-health`. */
  public readonly healthPort: number;

  public constructor(scope: Construct, id: string, props: TelemetryProps) {
    checkOptions(scope, 'withTelemetry', 'TelemetryProps', props);
    const workload = workloadOrScope(scope, id, props.workload, 'Telemetry');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planTelemetry, registry, props, 'withTelemetry');
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.container = attached.container!;
    this.mode = attached.mode!;
    this.configMap = attached.configMap!;
    this.config = plan.file.text;
    this.serviceName = plan.serviceName;
    this.appEndpoint = plan.appEndpoint;
    this.appContainers = plan.appContainers;
    this.otlpGrpcPort = plan.model.otlpGrpcPort;
    this.otlpHttpPort = plan.model.otlpHttpPort;
    this.healthPort = plan.model.healthPort;
  }
}

/**
 * Runs an OpenTelemetry Collector beside the app: the app's SDK sends OTLP to it on
 * 127.0.0.1, it can scrape the app's Prometheus endpoint, and it exports to OTLP backends,
 * Prometheus remote write or its own log.
 *
 * @see https://opentelemetry.io/docs/collector/deployment/agent/
 * @example
 * const web = new kplus.Deployment(chart, 'web', {
 *   containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', ports: [{ number: 8080 }, { number: 9090, name: 'metrics' }] }],
 * });
 * withTelemetry(web, {
 *   sources: [TelemetrySource.prometheus({ port: 9090 })],
 *   exporters: [TelemetryExporter.otlp({ endpoint: 'http://gateway.observability:4317' })],
 * });
 */
export function withTelemetry(workload: kplus.AbstractPod | ApiObject, options: TelemetryOptions = {}): Telemetry {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  return new Telemetry(workload, options?.name ?? 'otel-collector', options);
}
