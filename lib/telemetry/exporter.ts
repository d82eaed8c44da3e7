import { checkFactoryOptions } from '../engine/input';
import { kplus } from '../engine/kplus';
import { keyedByValue } from '../engine/options-key';
import { TlsCa } from '../engine/tls-ca';

/**
 * The three signals of OpenTelemetry; each has its own pipeline in the collector.
 * @see https://opentelemetry.io/docs/concepts/signals/
 */
export enum TelemetrySignal {
  /** Spans. */
  TRACES = 'traces',
  /** Metric data points (from the app's SDK and from Prometheus scrapes). */
  METRICS = 'metrics',
  /** Log records sent by the app's SDK. */
  LOGS = 'logs',
}

/**
 * How an exporter compresses what it sends.
 * @see https://github.com/open-telemetry/opentelemetry-collector/blob/main/config/configgrpc/README.md
 */
export enum TelemetryCompression {
  /** gzip, the default of both OTLP exporters. */
  GZIP = 'gzip',
  /** zstd. */
  ZSTD = 'zstd',
  /** snappy. */
  SNAPPY = 'snappy',
  /** No compression. */
  NONE = 'none',
}

/**
 * How much the debug exporter writes for each batch.
 * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/exporter/debugexporter
 */
export enum TelemetryDebugVerbosity {
  /** One line per batch: counts. */
  BASIC = 'basic',
  /** One line per record. */
  NORMAL = 'normal',
  /** Every field of every record. */
  DETAILED = 'detailed',
}

/**
 * A CA certificate to trust, in PEM, for an exporter reached over `https`: the engine's `TlsCa`
 * (the log shipper's outputs take it too), under the name this helper's options use. Mounted
 * read-only into the collector only; the image's system CAs stay trusted too.
 *
 * @example TelemetryCa.fromConfigMap(kplus.ConfigMap.fromConfigMapName(chart, 'ca', 'corp-ca'), 'ca.crt')
 */
export const TelemetryCa = TlsCa;
/** A CA certificate to trust: the engine's `TlsCa`. */
export type TelemetryCa = TlsCa;

/** What every exporter that sends over the network takes. */
export interface TelemetryNetworkExporterOptions {
  /**
   * Request headers: a fixed value, or a value from a Secret (an API key). A header whose name
   * says it carries a credential (`Authorization`, `*-api-key`, `*token*`, `*secret*`, …) must
   * come from a Secret.
   * @default - none
   */
  readonly headers?: Record<string, string | kplus.SecretValue>;

  /**
   * A bearer token, from a Secret, sent as `Authorization: Bearer <token>`.
   * @default - none
   */
  readonly bearerToken?: kplus.SecretValue;

  /**
   * A CA to trust for an `https` endpoint.
   * @default - the system CAs of the image
   */
  readonly ca?: TelemetryCa;
}

/** Options of `TelemetryExporter.otlp` (OTLP over gRPC). */
export interface OtlpExporterOptions extends TelemetryNetworkExporterOptions {
  /**
   * Where to send, `https://host:port` (TLS) or `http://host:port` (plaintext), with the port
   * and without a path: `https://otlp.example.com:4317`.
   * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/exporter/otlpexporter
   */
  readonly endpoint: string;

  /**
   * @default TelemetryCompression.GZIP
   */
  readonly compression?: TelemetryCompression;

  /**
   * The signals it receives.
   * @default - traces, metrics and logs
   */
  readonly signals?: TelemetrySignal[];
}

/** Options of `TelemetryExporter.otlpHttp` (OTLP over HTTP, protobuf). */
export interface OtlpHttpExporterOptions extends TelemetryNetworkExporterOptions {
  /**
   * The base URL, `http` or `https`, with an optional path prefix; the exporter appends
   * `/v1/traces`, `/v1/metrics` and `/v1/logs`: `https://otlp.example.com` or
   * `https://gateway.example.com/otlp`.
   * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/exporter/otlphttpexporter
   */
  readonly endpoint: string;

  /**
   * @default TelemetryCompression.GZIP
   */
  readonly compression?: TelemetryCompression;

  /**
   * The signals it receives.
   * @default - traces, metrics and logs
   */
  readonly signals?: TelemetrySignal[];
}

/** Options of `TelemetryExporter.prometheusRemoteWrite`. */
export interface PrometheusRemoteWriteExporterOptions extends TelemetryNetworkExporterOptions {
  /**
   * The remote-write URL, `http` or `https`, path included:
   * `https://prometheus.example.com/api/v1/write`.
   * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/prometheusremotewriteexporter
   */
  readonly url: string;

  /**
   * Labels added to every series (`external_labels`). Names are Prometheus label names; values
   * hold letters, digits and `_ . : / @ + -`.
   * @default - none
   */
  readonly externalLabels?: Record<string, string>;

  /**
   * Turn every resource attribute (`k8s.pod.name`, `service.name`, …) into a label of every
   * series (`resource_to_telemetry_conversion`). Off, they go to the `target_info` series only.
   * @default false
   */
  readonly resourceToTelemetryConversion?: boolean;
}

/** Options of `TelemetryExporter.debug`. */
export interface DebugExporterOptions {
  /**
   * @default TelemetryDebugVerbosity.BASIC
   */
  readonly verbosity?: TelemetryDebugVerbosity;

  /**
   * The signals it receives.
   * @default - traces, metrics and logs
   */
  readonly signals?: TelemetrySignal[];
}

/** @internal */
export type TelemetryExporterSpec =
  | { readonly kind: 'otlp_grpc'; readonly options: OtlpExporterOptions }
  | { readonly kind: 'otlp_http'; readonly options: OtlpHttpExporterOptions }
  | { readonly kind: 'prometheus_remote_write'; readonly options: PrometheusRemoteWriteExporterOptions }
  | { readonly kind: 'debug'; readonly options: DebugExporterOptions };

/**
 * Where the collector sends telemetry. Pass several to `exporters`; each gets the signals it
 * names (all it can take by default).
 *
 * Credentials are only ever `kplus.SecretValue`s: they reach the collector as environment
 * variables from the Secret (`secretKeyRef`), which its configuration names as `${env:VAR}`;
 * the ConfigMap never holds one.
 */
export class TelemetryExporter {
  /**
   * OTLP over gRPC (the collector's `otlp_grpc` exporter): a gateway collector, Tempo, Jaeger,
   * or a vendor's OTLP endpoint.
   * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/exporter/otlpexporter
   */
  public static otlp(options: OtlpExporterOptions): TelemetryExporter {
    checkFactoryOptions('TelemetryExporter.otlp', 'OtlpExporterOptions', options);
    return new TelemetryExporter({ kind: 'otlp_grpc', options });
  }

  /**
   * OTLP over HTTP with protobuf bodies (the collector's `otlp_http` exporter).
   * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/exporter/otlphttpexporter
   */
  public static otlpHttp(options: OtlpHttpExporterOptions): TelemetryExporter {
    checkFactoryOptions('TelemetryExporter.otlpHttp', 'OtlpHttpExporterOptions', options);
    return new TelemetryExporter({ kind: 'otlp_http', options });
  }

  /**
   * Prometheus remote write (Prometheus, Mimir, Thanos receive, VictoriaMetrics): metrics only.
   * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/prometheusremotewriteexporter
   */
  public static prometheusRemoteWrite(options: PrometheusRemoteWriteExporterOptions): TelemetryExporter {
    checkFactoryOptions('TelemetryExporter.prometheusRemoteWrite', 'PrometheusRemoteWriteExporterOptions', options);
    return new TelemetryExporter({ kind: 'prometheus_remote_write', options });
  }

  /**
   * The collector's own log (`kubectl logs <pod> -c otel-collector`): to see what arrives.
   * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/exporter/debugexporter
   */
  public static debug(options: DebugExporterOptions = {}): TelemetryExporter {
    checkFactoryOptions('TelemetryExporter.debug', 'DebugExporterOptions', options);
    return new TelemetryExporter({ kind: 'debug', options });
  }

  private constructor(
    /** @internal */
    public readonly spec: TelemetryExporterSpec,
  ) {}

  /** The collector's name for the exporter: `otlp_grpc`, `otlp_http`, `prometheus_remote_write` or `debug`. */
  public get kind(): string {
    return this.spec.kind;
  }
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(TelemetryExporter);
