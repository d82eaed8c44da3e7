import { Duration, Size } from 'cdk8s';
import { TelemetryExporter } from './exporter';
import { TelemetrySelfMetrics, TelemetrySource } from './source';
import { kplus } from '../engine/kplus';
import { SidecarMode } from '../engine/sidecar-mode';

/**
 * The OTLP transport the app's SDK is told to use (`OTEL_EXPORTER_OTLP_PROTOCOL`).
 * @see https://opentelemetry.io/docs/specs/otel/protocol/exporter/#specify-protocol
 */
export enum TelemetryProtocol {
  /** `http/protobuf` to port `otlpHttpPort`: the specification's default for SDKs. */
  HTTP_PROTOBUF = 'http/protobuf',
  /** `grpc` to port `otlpGrpcPort`. */
  GRPC = 'grpc',
}

/**
 * The memory limiter's settings, when the ones derived from the container's limit do not fit.
 * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/processor/memorylimiterprocessor
 */
export interface TelemetryMemoryLimit {
  /**
   * The hard limit of the collector's heap (`limit_mib`): above it the collector forces garbage
   * collection; above `limit - spikeLimit` it refuses data. Must stay below the container's
   * memory limit (the process uses some 50MiB beyond its heap).
   * @default - 80% of the container's memory limit, and at least 50MiB below it
   */
  readonly limit?: Size;

  /**
   * The largest growth expected between two checks (`spike_limit_mib`); less than `limit`.
   * @default - 20% of limit (the processor's documented default)
   */
  readonly spikeLimit?: Size;

  /**
   * How often memory is measured (`check_interval`).
   * @default Duration.seconds(1)
   */
  readonly checkInterval?: Duration;
}

/**
 * The batch processor's settings.
 * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/processor/batchprocessor
 */
export interface TelemetryBatch {
  /**
   * Spans, data points or log records after which a batch is sent (`send_batch_size`).
   * @default 8192
   */
  readonly size?: number;

  /**
   * The most items a batch may hold (`send_batch_max_size`); at least `size`.
   * @default - no upper bound besides `size` (the processor's 0)
   */
  readonly maxSize?: number;

  /**
   * How long to wait before a batch is sent however small (`timeout`).
   * @default Duration.millis(200)
   */
  readonly timeout?: Duration;
}

/**
 * How `withTelemetry` runs an OpenTelemetry Collector beside the app.
 * @see https://opentelemetry.io/docs/collector/configuration/
 * @example
 * withTelemetry(web, { exporters: [TelemetryExporter.otlp({ endpoint: 'http://gateway.observability:4317' })] });
 */
export interface TelemetryOptions {
  /**
   * Where the collector sends what it receives. Each exporter gets the signals it names.
   * @default [TelemetryExporter.debug()]
   */
  readonly exporters?: TelemetryExporter[];

  /**
   * What the collector fetches from the app besides OTLP (which it always receives).
   * @default - none
   */
  readonly sources?: TelemetrySource[];

  /**
   * The `service.name` of the app: `OTEL_SERVICE_NAME` in the app containers, and the job of
   * Prometheus scrapes.
   * @default - the workload's Kubernetes name, as the OpenTelemetry Operator does
   */
  readonly serviceName?: string;

  /**
   * Resource attributes added to every signal besides the pod's (`k8s.pod.name`,
   * `k8s.namespace.name`, `k8s.node.name`, `k8s.pod.uid`, the workload's name): names such
   * as `deployment.environment.name`, values of letters, digits and `_ . : / @ + -`.
   * @default - none
   */
  readonly resourceAttributes?: Record<string, string>;

  /**
   * Give the app containers `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_PROTOCOL`,
   * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` (with the pod's values from the downward
   * API). A variable a container already sets is kept, except an endpoint or protocol that
   * points elsewhere, which is refused.
   * @default true
   */
  readonly appEnv?: boolean;

  /**
   * The app containers that get the environment, by name.
   * @default - every app container of the pod at the time of the call
   */
  readonly appContainers?: string[];

  /**
   * The OTLP transport the app is told to use.
   * @default TelemetryProtocol.HTTP_PROTOBUF
   */
  readonly appProtocol?: TelemetryProtocol;

  /**
   * The port of the OTLP/gRPC receiver, on 127.0.0.1. Kept in the pod's port ledger.
   * @default 4317
   */
  readonly otlpGrpcPort?: number;

  /**
   * The port of the OTLP/HTTP receiver, on 127.0.0.1. Kept in the pod's port ledger.
   * @default 4318
   */
  readonly otlpHttpPort?: number;

  /**
   * The port of the health_check extension, on the pod's IP, declared as the containerPort
   * `otel-health`; the probes go there.
   * @default 13133
   */
  readonly healthPort?: number;

  /**
   * Where the collector serves its own metrics.
   * @default TelemetrySelfMetrics.local(8888)
   */
  readonly selfMetrics?: TelemetrySelfMetrics;

  /**
   * The memory limiter, first processor of every pipeline.
   * @default - derived from the container's memory limit
   */
  readonly memoryLimit?: TelemetryMemoryLimit;

  /**
   * The batch processor, last of every pipeline.
   * @default - the processor's defaults, written out: 8192 items, 200ms
   */
  readonly batch?: TelemetryBatch;

  /**
   * The collector's container name, unique in the pod.
   * @default 'otel-collector'
   */
  readonly name?: string;

  /**
   * The image, to pull the collector from a mirror. It must be the contrib distribution of the
   * pinned version (the configuration names its components) and run as the same user.
   * @default - the pinned upstream image (OTEL_COLLECTOR_IMAGE)
   */
  readonly image?: string;

  /**
   * CPU and memory, each replacing the default it names. The memory limit sizes the memory
   * limiter and `GOMEMLIMIT`; one is required.
   * @default - 50m/500m CPU, 128Mi/512Mi memory (request/limit)
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Native sidecar (an init container with `restartPolicy: Always`) or a regular container.
   * @default - the default of `setDefaultSidecarMode`, else SidecarMode.NATIVE
   */
  readonly mode?: SidecarMode;
}
