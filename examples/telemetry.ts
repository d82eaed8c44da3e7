/**
 * withTelemetry: an OpenTelemetry Collector beside a web app. The app's SDK sends traces,
 * metrics and logs over OTLP to the collector on 127.0.0.1 (the environment tells it where);
 * the collector also scrapes the app's Prometheus endpoint, adds the pod's Kubernetes
 * attributes, and sends traces and metrics to a gateway over TLS with an API key from a Secret,
 * and metrics to Mimir by remote write. The collector's own metrics are announced to the
 * cluster's Prometheus with the prometheus.io annotations.
 *
 * Synthesize: npx ts-node examples/telemetry.ts  (writes dist/telemetry.k8s.yaml)
 */
import { App, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  exposeMetrics, TelemetryExporter, TelemetrySelfMetrics, TelemetrySignal, TelemetrySource, withTelemetry,
} from '../lib';

export class TelemetryChart extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const web = new kplus.Deployment(this, 'web', {
      containers: [{
        name: 'app',
        image: 'ghcr.io/acme/web:1.4.2',
        ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics' }],
        securityContext: {
          user: 1000,
          group: 1000,
          // The restricted profile for the app's own container too (the library's sidecars get it by default).
          capabilities: { drop: [kplus.Capability.ALL] },
          seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
        },
      }],
    });

    // Created outside this app (by an operator or External Secrets), referenced by name.
    const gateway = kplus.Secret.fromSecretName(this, 'otlp-gateway', 'otlp-gateway');

    withTelemetry(web, {
      serviceName: 'web',
      resourceAttributes: { 'deployment.environment.name': 'production' },
      sources: [TelemetrySource.prometheus({ port: 9090, interval: Duration.seconds(30) })],
      exporters: [
        TelemetryExporter.otlp({
          endpoint: 'https://otlp-gateway.example.com:4317',
          headers: { 'x-api-key': { secret: gateway, key: 'api-key' } },
          signals: [TelemetrySignal.TRACES, TelemetrySignal.LOGS],
        }),
        TelemetryExporter.prometheusRemoteWrite({
          url: 'http://mimir-distributor.monitoring:8080/api/v1/push',
          headers: { 'X-Scope-OrgID': 'web-team' },
        }),
      ],
      selfMetrics: TelemetrySelfMetrics.exposed(8888),
    });

    // The collector's own metrics (queues, refused and dropped items), for the cluster's Prometheus.
    exposeMetrics(web, { port: 8888, path: '/metrics' });
  }
}

if (require.main === module) {
  const app = new App();
  new TelemetryChart(app, 'telemetry');
  app.synth();
}
