/**
 * The OpenTelemetry Collector's configuration file, from the model: a pure function, no
 * construct. Component names and keys are those of the collector 0.162 (contrib distribution):
 * each component's `config.go` / `config.schema.yaml` and README, cited per block below.
 */
import { CollectorModel, ExporterModel, Ref } from './model';
import { PlainData, toYaml } from '../engine/config-yaml';

/** `${env:NAME}`: the collector's environment-variable provider (confmap envprovider). */
function refText(ref: Ref): string {
  return ref.kind === 'literal' ? ref.value : `${ref.prefix ?? ''}\${env:${ref.env}}`;
}

const PROCESSORS = ['memory_limiter', 'resource', 'batch'];

/** The collector's config.yaml. */
export function otelcolConfig(model: CollectorModel): string {
  const receivers: Record<string, PlainData> = {
    // receiver/otlpreceiver config.go: protocols.grpc / protocols.http, each a server config
    // whose `endpoint` is host:port. 127.0.0.1: only the pod's own containers send to it.
    otlp: {
      protocols: {
        grpc: { endpoint: `127.0.0.1:${model.otlpGrpcPort}` },
        http: { endpoint: `127.0.0.1:${model.otlpHttpPort}` },
      },
    },
  };
  if (model.scrapes.length > 0) {
    // receiver/prometheusreceiver: `config` is a Prometheus configuration (scrape_configs).
    receivers.prometheus = {
      config: {
        scrape_configs: model.scrapes.map((s) => ({
          job_name: s.job,
          scrape_interval: s.interval,
          scrape_timeout: s.timeout,
          metrics_path: s.path,
          scheme: 'http',
          // Prometheus 3 refuses a scrape whose Content-Type it cannot read unless told what to
          // assume (prometheus/prometheus docs/configuration: fallback_scrape_protocol).
          fallback_scrape_protocol: 'PrometheusText0.0.4',
          static_configs: [{ targets: [`127.0.0.1:${s.port}`] }],
        })),
      },
    };
  }

  const processors: Record<string, PlainData> = {
    // processor/memorylimiterprocessor README: check_interval, limit_mib, spike_limit_mib.
    memory_limiter: {
      check_interval: model.memory.checkInterval,
      limit_mib: model.memory.limitMib,
      spike_limit_mib: model.memory.spikeLimitMib,
    },
    // processor/resourceprocessor: attributes actions; `insert` adds an attribute only when the
    // data does not have it, so what the app's SDK says wins.
    resource: {
      attributes: model.resourceAttributes.map(([key, ref]) => ({ key, value: refText(ref), action: 'insert' })),
    },
    // processor/batchprocessor README: send_batch_size, send_batch_max_size, timeout.
    batch: {
      send_batch_size: model.batch.size,
      send_batch_max_size: model.batch.maxSize,
      timeout: model.batch.timeout,
    },
  };

  const exporters: Record<string, PlainData> = {};
  for (const exporter of model.exporters) exporters[exporter.id] = exporterConfig(exporter);

  const pipelines: Record<string, PlainData> = {};
  for (const [signal, ids] of model.pipelines) {
    const signalReceivers = ['otlp'];
    if (signal === 'metrics' && model.scrapes.length > 0) signalReceivers.push('prometheus');
    pipelines[signal] = { receivers: signalReceivers, processors: PROCESSORS, exporters: [...ids] };
  }

  // service/telemetry/otelconftelemetry factory.go: own metrics by default on localhost:8888
  // through a Prometheus pull reader; `level: none` turns them off.
  const selfMetrics = model.selfMetrics;
  const metrics: PlainData = selfMetrics.kind === 'off'
    ? { level: 'none' }
    : {
      readers: [{
        pull: {
          exporter: {
            prometheus: { host: selfMetrics.kind === 'local' ? '127.0.0.1' : '0.0.0.0', port: selfMetrics.port },
          },
        },
      }],
    };

  return toYaml({
    extensions: {
      // extension/healthcheckextension README: endpoint, path. The kubelet probes the pod's IP.
      health_check: { endpoint: `0.0.0.0:${model.healthPort}`, path: '/' },
    },
    receivers,
    processors,
    exporters,
    service: {
      extensions: ['health_check'],
      telemetry: { metrics },
      pipelines,
    },
  });
}

function headersOf(exporter: { headers: ReadonlyArray<[string, Ref]> }): PlainData | undefined {
  if (exporter.headers.length === 0) return undefined;
  const headers: Record<string, PlainData> = {};
  for (const [name, ref] of exporter.headers) headers[name] = refText(ref);
  return headers;
}

function exporterConfig(exporter: ExporterModel): PlainData {
  switch (exporter.kind) {
    // exporter/otlpexporter (config/configgrpc ClientConfig): endpoint host:port, tls, headers, compression.
    case 'otlp_grpc':
      return {
        endpoint: exporter.endpoint,
        tls: exporter.insecure ? { insecure: true } : (exporter.caFile ? { ca_file: exporter.caFile } : undefined),
        headers: headersOf(exporter),
        compression: exporter.compression,
      };
    // exporter/otlphttpexporter (config/confighttp ClientConfig): endpoint is the base URL.
    case 'otlp_http':
      return {
        endpoint: exporter.endpoint,
        tls: exporter.caFile ? { ca_file: exporter.caFile } : undefined,
        headers: headersOf(exporter),
        compression: exporter.compression,
      };
    // exporter/prometheusremotewriteexporter config.go.
    case 'prometheus_remote_write': {
      const labels: Record<string, PlainData> = {};
      for (const [name, value] of exporter.externalLabels) labels[name] = value;
      return {
        endpoint: exporter.endpoint,
        tls: exporter.caFile ? { ca_file: exporter.caFile } : undefined,
        headers: headersOf(exporter),
        external_labels: exporter.externalLabels.length > 0 ? labels : undefined,
        resource_to_telemetry_conversion: exporter.resourceToTelemetry ? { enabled: true } : undefined,
      };
    }
    // exporter/debugexporter config.go: verbosity.
    case 'debug':
      return { verbosity: exporter.verbosity };
  }
}
