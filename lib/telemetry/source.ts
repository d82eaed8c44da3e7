import { Duration } from 'cdk8s';
import { checkFactoryOptions } from '../engine/input';
import { keyedByValue } from '../engine/options-key';

/** Options of `TelemetrySource.prometheus`. */
export interface PrometheusSourceOptions {
  /**
   * The port of the app's metrics endpoint: a TCP port an app container declares
   * (`portNumber` or `ports`). The collector scrapes it on 127.0.0.1.
   */
  readonly port: number;

  /**
   * The path of the metrics endpoint.
   * @default '/metrics'
   */
  readonly path?: string;

  /**
   * How often to scrape. The scrape timeout is the smaller of this and 10 seconds.
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;

  /**
   * The Prometheus job name, which the collector turns into the `service.name` of the metrics.
   * @default - the service name of withTelemetry
   */
  readonly job?: string;
}

/** @internal */
export type TelemetrySourceSpec = { readonly kind: 'prometheus'; readonly options: PrometheusSourceOptions };

/**
 * Telemetry the collector fetches from the app, besides what the app's SDK sends it over OTLP
 * (which it always receives).
 */
export class TelemetrySource {
  /**
   * Scrape the app's Prometheus metrics endpoint on 127.0.0.1 (the collector's `prometheus`
   * receiver): for apps instrumented with a Prometheus client rather than an OTLP SDK.
   * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/receiver/prometheusreceiver
   * @example TelemetrySource.prometheus({ port: 9090, path: '/metrics', interval: Duration.seconds(15) })
   */
  public static prometheus(options: PrometheusSourceOptions): TelemetrySource {
    checkFactoryOptions('TelemetrySource.prometheus', 'PrometheusSourceOptions', options);
    return new TelemetrySource({ kind: 'prometheus', options });
  }

  private constructor(
    /** @internal */
    public readonly spec: TelemetrySourceSpec,
  ) {}
}

/** @internal */
export type TelemetrySelfMetricsSpec =
  | { readonly kind: 'local'; readonly port: number }
  | { readonly kind: 'exposed'; readonly port: number }
  | { readonly kind: 'off' };

/**
 * Where the collector serves its own metrics (`service.telemetry.metrics`: queue sizes,
 * refused and dropped items), in the Prometheus format.
 * @see https://opentelemetry.io/docs/collector/internal-telemetry/
 */
export class TelemetrySelfMetrics {
  /**
   * On 127.0.0.1 only (the collector's default address is `localhost:8888`): reachable from
   * inside the pod, and the port joins the pod's port ledger.
   * @default port 8888
   */
  public static local(port: number = 8888): TelemetrySelfMetrics {
    return new TelemetrySelfMetrics({ kind: 'local', port });
  }

  /**
   * On every address of the pod, declared as the containerPort `otel-metrics`, for a
   * Prometheus outside the pod to scrape (pair with `exposeMetrics`).
   * @default port 8888
   */
  public static exposed(port: number = 8888): TelemetrySelfMetrics {
    return new TelemetrySelfMetrics({ kind: 'exposed', port });
  }

  /** No own metrics (`level: none`): nothing listens. */
  public static off(): TelemetrySelfMetrics {
    return new TelemetrySelfMetrics({ kind: 'off' });
  }

  private constructor(
    /** @internal */
    public readonly spec: TelemetrySelfMetricsSpec,
  ) {}
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(TelemetrySource, TelemetrySelfMetrics);
