/**
 * What the OpenTelemetry Collector 0.162 (contrib) accepts for the components withTelemetry
 * writes, as tables of known keys (and the values of the enumerated ones), to check generated
 * configurations where the collector cannot run: a misspelt or made-up key fails a test
 * instead of a pod. test/real/otelcol.test.ts lets the real collector judge the same files when
 * it can be built here.
 *
 * Read from each component's `config.go` (the `mapstructure` tags) at v0.162.0 / v1.68.0:
 * receiver/otlpreceiver, config/configgrpc (generated_config.go), config/confighttp (client.go,
 * server.go), config/configtls, config/configcompression, processor/batchprocessor,
 * internal/memorylimiter, processor/resourceprocessor with internal/coreinternal/attraction,
 * exporter/otlpexporter, exporter/otlphttpexporter, exporter/debugexporter,
 * exporter/prometheusremotewriteexporter, extension/healthcheckextension with
 * internal/healthcheck, receiver/prometheusreceiver, service/telemetry/otelconftelemetry, and
 * the component type names from each module's internal/metadata/generated_status.go.
 */

type Table = Record<string, readonly string[] | null>; // key -> allowed values, or null for any

const TOP = ['receivers', 'processors', 'exporters', 'extensions', 'connectors', 'service'];

const TLS_CLIENT: Table = {
  insecure: ['true', 'false'],
  insecure_skip_verify: ['true', 'false'],
  server_name_override: null,
  ca_file: null,
  ca_pem: null,
  cert_file: null,
  cert_pem: null,
  key_file: null,
  key_pem: null,
  cipher_suites: null,
  curve_preferences: null,
  include_system_ca_certs_pool: null,
  max_version: null,
  min_version: null,
  reload_interval: null,
};
const COMPRESSION = ['gzip', 'zlib', 'deflate', 'snappy', 'x-snappy-framed', 'zstd', 'lz4', 'none', ''];
const EXPORTER_HELPER: Table = { timeout: null, sending_queue: null, retry_on_failure: null };
const GRPC_CLIENT: Table = {
  auth: null,
  authority: null,
  balancer_name: null,
  compression: COMPRESSION,
  endpoint: null,
  headers: null,
  keepalive: null,
  middlewares: null,
  read_buffer_size: null,
  tls: null,
  user_agent: null,
  wait_for_ready: null,
  write_buffer_size: null,
};
const HTTP_CLIENT: Table = {
  endpoint: null,
  proxy_url: null,
  tls: null,
  read_buffer_size: null,
  write_buffer_size: null,
  timeout: null,
  headers: null,
  auth: null,
  compression: COMPRESSION,
  compression_params: null,
  max_conns_per_host: null,
  http2_read_idle_timeout: null,
  http2_ping_timeout: null,
  cookies: null,
  force_attempt_http2: null,
  middlewares: null,
  keepalive: null,
  idle_conn_timeout: null,
  max_idle_conns: null,
  max_idle_conns_per_host: null,
  disable_keep_alives: null,
};
const SERVER_ADDR: Table = { endpoint: null, transport: null, dialer: null };
const GRPC_SERVER: Table = {
  ...SERVER_ADDR,
  auth: null,
  include_metadata: null,
  keepalive: null,
  max_concurrent_streams: null,
  max_recv_msg_size_mib: null,
  middlewares: null,
  read_buffer_size: null,
  tls: null,
  write_buffer_size: null,
};
const HTTP_SERVER: Table = {
  ...SERVER_ADDR,
  tls: null,
  cors: null,
  auth: null,
  max_request_body_size: null,
  include_metadata: null,
  response_headers: null,
  compression_algorithms: null,
  read_timeout: null,
  read_header_timeout: null,
  write_timeout: null,
  middlewares: null,
  keepalive: null,
  idle_timeout: null,
  keep_alives_enabled: null,
  traces_url_path: null,
  metrics_url_path: null,
  logs_url_path: null,
};

/** Per component type: its keys. */
const COMPONENTS: Record<'receivers' | 'processors' | 'exporters' | 'extensions', Record<string, Table>> = {
  receivers: {
    otlp: { protocols: null },
    prometheus: {
      config: null,
      trim_metric_suffixes: null,
      target_allocator: null,
      api_server: null,
      scrape_on_shutdown: null,
      discovery_reload_on_startup: null,
      initial_scrape_offset: null,
    },
  },
  processors: {
    memory_limiter: {
      check_interval: null,
      min_gc_interval_when_soft_limited: null,
      min_gc_interval_when_hard_limited: null,
      max_gc_interval_when_soft_limited: null,
      max_gc_interval_when_hard_limited: null,
      limit_mib: null,
      spike_limit_mib: null,
      limit_percentage: null,
      spike_limit_percentage: null,
    },
    batch: { timeout: null, send_batch_size: null, send_batch_max_size: null, metadata_keys: null, metadata_cardinality_limit: null },
    resource: { attributes: null },
  },
  exporters: {
    otlp_grpc: { ...EXPORTER_HELPER, ...GRPC_CLIENT },
    otlp_http: {
      ...HTTP_CLIENT,
      sending_queue: null,
      retry_on_failure: null,
      traces_endpoint: null,
      metrics_endpoint: null,
      logs_endpoint: null,
      profiles_endpoint: null,
      encoding: ['proto', 'json'],
    },
    prometheus_remote_write: {
      ...HTTP_CLIENT,
      timeout: null,
      retry_on_failure: null,
      namespace: null,
      remote_write_queue: null,
      external_labels: null,
      http: null,
      max_batch_size_bytes: null,
      max_batch_request_parallelism: null,
      resource_to_telemetry_conversion: null,
      resource_constant_labels: null,
      wal: null,
      target_info: null,
      disable_scope_info: null,
      add_metric_suffixes: null,
      translation_strategy: null,
      send_metadata: null,
      protobuf_message: null,
      include_metadata_keys: null,
      convert_explicit_histograms_to_nhcb: null,
      keep_classic_histograms: null,
    },
    debug: {
      verbosity: ['basic', 'normal', 'detailed'],
      sampling_initial: null,
      sampling_thereafter: null,
      use_internal_logger: null,
      output_paths: null,
      sending_queue: null,
    },
  },
  extensions: {
    health_check: {
      ...HTTP_SERVER, path: null, response_body: null, check_collector_pipeline: null, use_v2: null, grpc: null, http: null, component_health: null,
    },
  },
};

/** The resource processor's attribute actions (internal/coreinternal/attraction). */
const ATTRIBUTE_ACTION: Table = {
  key: null,
  value: null,
  default_value: null,
  pattern: null,
  from_attribute: null,
  from_context: null,
  converted_type: null,
  action: ['insert', 'update', 'upsert', 'delete', 'hash', 'extract', 'convert'],
};

/** The Prometheus scrape_config keys withTelemetry may write (prometheus/prometheus config/config.go ScrapeConfig, 3.x). */
const SCRAPE_CONFIG: Table = {
  job_name: null,
  scrape_interval: null,
  scrape_timeout: null,
  metrics_path: null,
  scheme: ['http', 'https'],
  static_configs: null,
  honor_labels: null,
  honor_timestamps: null,
  params: null,
  scrape_protocols: null,
  fallback_scrape_protocol: ['PrometheusProto', 'OpenMetricsText0.0.1', 'OpenMetricsText1.0.0', 'PrometheusText0.0.4', 'PrometheusText1.0.0'],
  sample_limit: null,
  label_limit: null,
  metric_relabel_configs: null,
  relabel_configs: null,
};

const SIGNALS = ['traces', 'metrics', 'logs'];

function checkTable(problems: string[], where: string, value: unknown, table: Table): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where}: expected a map`);
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!(key in table)) {
      problems.push(`${where}: unknown key "${key}"`);
      continue;
    }
    const allowed = table[key];
    if (allowed && !allowed.includes(String(v))) problems.push(`${where}.${key}: "${String(v)}" is not one of ${allowed.join(', ')}`);
  }
}

/** The `${env:NAME}` names a configuration refers to. */
export function envReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]))];
}

/** Every way `config` departs from what the collector accepts; [] when none. */
export function otelcolProblems(config: any): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(config)) if (!TOP.includes(key)) problems.push(`unknown top-level key "${key}"`);
  const defined: Record<string, Set<string>> = {};
  for (const kind of ['receivers', 'processors', 'exporters', 'extensions'] as const) {
    defined[kind] = new Set();
    for (const [id, body] of Object.entries<any>(config[kind] ?? {})) {
      const type = id.split('/')[0];
      const table = COMPONENTS[kind][type];
      if (!table) {
        problems.push(`${kind}.${id}: unknown component type "${type}" (known: ${Object.keys(COMPONENTS[kind]).join(', ')})`);
        continue;
      }
      if (!/^[a-z][a-z0-9_]*(\/[^/\s]+)?$/.test(id)) problems.push(`${kind}.${id}: not a component id`);
      defined[kind].add(id);
      checkTable(problems, `${kind}.${id}`, body, table);
      checkNested(problems, `${kind}.${id}`, type, body ?? {});
    }
  }
  const service = config.service ?? {};
  checkTable(problems, 'service', service, { extensions: null, pipelines: null, telemetry: null });
  for (const ext of service.extensions ?? []) if (!defined.extensions.has(ext)) problems.push(`service.extensions: "${ext}" is not defined`);
  const pipelines = Object.entries<any>(service.pipelines ?? {});
  if (pipelines.length === 0) problems.push('service.pipelines: none');
  for (const [name, pipeline] of pipelines) {
    if (!SIGNALS.includes(name.split('/')[0])) problems.push(`service.pipelines.${name}: not a signal`);
    checkTable(problems, `service.pipelines.${name}`, pipeline, { receivers: null, processors: null, exporters: null });
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      const list = pipeline[kind] ?? [];
      if (kind !== 'processors' && list.length === 0) problems.push(`service.pipelines.${name}: no ${kind}`);
      for (const id of list) if (!defined[kind].has(id)) problems.push(`service.pipelines.${name}.${kind}: "${id}" is not defined`);
    }
  }
  for (const kind of ['receivers', 'processors', 'exporters'] as const) {
    for (const id of defined[kind]) {
      if (!pipelines.some(([, p]) => (p[kind] ?? []).includes(id))) problems.push(`${kind}.${id}: defined but in no pipeline`);
    }
  }
  const telemetry = service.telemetry ?? {};
  checkTable(problems, 'service.telemetry', telemetry, { logs: null, metrics: null, traces: null, resource: null });
  checkTable(problems, 'service.telemetry.metrics', telemetry.metrics, { level: ['none', 'basic', 'normal', 'detailed'], readers: null, views: null });
  for (const [i, reader] of (telemetry.metrics?.readers ?? []).entries()) {
    checkTable(problems, `service.telemetry.metrics.readers[${i}]`, reader, { pull: null, periodic: null });
    checkTable(problems, `service.telemetry.metrics.readers[${i}].pull`, reader.pull, { exporter: null });
    checkTable(problems, `service.telemetry.metrics.readers[${i}].pull.exporter`, reader.pull?.exporter, { prometheus: null });
    checkTable(problems, `service.telemetry.metrics.readers[${i}].pull.exporter.prometheus`, reader.pull?.exporter?.prometheus, {
      host: null,
      port: null,
      without_units: null,
      without_type_suffix: null,
      without_scope_info: null,
      with_resource_constant_labels: null,
      translation_strategy: null,
    });
  }
  return problems;
}

function checkNested(problems: string[], where: string, type: string, body: any): void {
  switch (type) {
    case 'otlp': {
      checkTable(problems, `${where}.protocols`, body.protocols, { grpc: null, http: null });
      checkTable(problems, `${where}.protocols.grpc`, body.protocols?.grpc, GRPC_SERVER);
      checkTable(problems, `${where}.protocols.http`, body.protocols?.http, HTTP_SERVER);
      break;
    }
    case 'prometheus': {
      checkTable(problems, `${where}.config`, body.config, { global: null, scrape_configs: null, scrape_config_files: null });
      for (const [i, sc] of (body.config?.scrape_configs ?? []).entries()) {
        checkTable(problems, `${where}.config.scrape_configs[${i}]`, sc, SCRAPE_CONFIG);
        for (const [j, st] of (sc.static_configs ?? []).entries()) checkTable(problems, `${where}.config.scrape_configs[${i}].static_configs[${j}]`, st, { targets: null, labels: null });
      }
      break;
    }
    case 'resource':
      for (const [i, a] of (body.attributes ?? []).entries()) checkTable(problems, `${where}.attributes[${i}]`, a, ATTRIBUTE_ACTION);
      break;
    case 'otlp_grpc':
    case 'otlp_http':
    case 'prometheus_remote_write':
      checkTable(problems, `${where}.tls`, body.tls, TLS_CLIENT);
      if (body.headers !== undefined && (typeof body.headers !== 'object' || Array.isArray(body.headers))) problems.push(`${where}.headers: expected a map`);
      for (const [k, v] of Object.entries(body.headers ?? {})) if (typeof v !== 'string') problems.push(`${where}.headers.${k}: not a string`);
      if (type === 'prometheus_remote_write') checkTable(problems, `${where}.resource_to_telemetry_conversion`, body.resource_to_telemetry_conversion, { enabled: null });
      break;
    default:
      break;
  }
}
