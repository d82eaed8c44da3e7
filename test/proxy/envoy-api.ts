/**
 * The part of Envoy's v3 API that withProxy's bootstrap uses, as a table: for each message
 * the fields it has, which are required, and which `oneof` groups must be set, read from the
 * upstream protos (their `validate.rules` / `validate.required` annotations), plus the
 * extension name of each typed config from source/extensions/extensions_build_config.bzl.
 *
 * Envoy cannot run here, so `checkEnvoy` walks a bootstrap against this table and reports every
 * unknown field, missing required field, unset required oneof, wrong scalar, unknown `@type`
 * or `@type` under the wrong extension name.
 *
 * Sources (github.com/envoyproxy/envoy, api/envoy/…):
 * - config/bootstrap/v3/bootstrap.proto (Bootstrap, Admin, StaticResources)
 * - config/core/v3/address.proto (Address: oneof address required; SocketAddress: address
 *   min_len 1, port_value lte 65535, oneof port_specifier required)
 * - config/listener/v3/listener.proto, listener_components.proto (Filter: name min_len 1)
 * - config/core/v3/base.proto (TransportSocket: name min_len 1; DataSource: oneof specifier required)
 * - extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto
 *   (stat_prefix min_len 1, oneof route_specifier required, codec_type defined_only;
 *   HttpFilter: name min_len 1)
 * - config/route/v3/route.proto, route_components.proto (VirtualHost: name min_len 1, domains
 *   min_items 1; Route: match required, oneof action required; RouteMatch: oneof
 *   path_specifier required; RouteAction: oneof cluster_specifier required;
 *   DirectResponseAction: status gte 100 lt 600)
 * - config/cluster/v3/cluster.proto (connect_timeout gt 0; typed_extension_protocol_options
 *   map<string, Any>)
 * - config/endpoint/v3/endpoint.proto, endpoint_components.proto (ClusterLoadAssignment:
 *   cluster_name min_len 1)
 * - config/accesslog/v3/accesslog.proto, extensions/access_loggers/stream/v3/stream.proto
 * - extensions/filters/http/router/v3/router.proto, extensions/filters/http/buffer/v3/buffer.proto
 *   (max_request_bytes required, gt 0)
 * - extensions/transport_sockets/tls/v3/tls.proto, common.proto
 * - extensions/upstreams/http/v3/http_protocol_options.proto (oneof upstream_protocol_options
 *   required; ExplicitHttpConfig: oneof protocol_config required)
 * - config/core/v3/protocol.proto (HttpProtocolOptions, Http1ProtocolOptions, Http2ProtocolOptions)
 */

type Scalar = 'string' | 'bool' | 'uint32' | 'port' | 'duration' | 'status';
type FieldType =
  | Scalar
  | { enum: string[] }
  | { message: string }
  | { repeated: FieldType }
  | { any: true }
  | { anyMap: true };

interface MessageSpec {
  readonly fields: Record<string, FieldType>;
  readonly required?: string[];
  readonly oneofRequired?: string[][];
  readonly nonEmpty?: string[];
}

const msg = (message: string): FieldType => ({ message });
const list = (t: FieldType): FieldType => ({ repeated: t });

export const MESSAGES: Record<string, MessageSpec> = {
  'envoy.config.bootstrap.v3.Bootstrap': {
    fields: {
      node: msg('opaque'),
      static_resources: msg('envoy.config.bootstrap.v3.Bootstrap.StaticResources'),
      dynamic_resources: msg('opaque'),
      admin: msg('envoy.config.bootstrap.v3.Admin'),
      layered_runtime: msg('opaque'),
      overload_manager: msg('opaque'),
      stats_sinks: list(msg('opaque')),
    },
  },
  'envoy.config.bootstrap.v3.Bootstrap.StaticResources': {
    fields: { listeners: list(msg('envoy.config.listener.v3.Listener')), clusters: list(msg('envoy.config.cluster.v3.Cluster')), secrets: list(msg('opaque')) },
  },
  'envoy.config.bootstrap.v3.Admin': {
    fields: { access_log: list(msg('envoy.config.accesslog.v3.AccessLog')), profile_path: 'string', address: msg('envoy.config.core.v3.Address'), socket_options: list(msg('opaque')), ignore_global_conn_limit: 'bool' },
  },
  'envoy.config.core.v3.Address': {
    fields: { socket_address: msg('envoy.config.core.v3.SocketAddress'), pipe: msg('opaque'), envoy_internal_address: msg('opaque') },
    oneofRequired: [['socket_address', 'pipe', 'envoy_internal_address']],
  },
  'envoy.config.core.v3.SocketAddress': {
    fields: { protocol: { enum: ['TCP', 'UDP'] }, address: 'string', port_value: 'port', named_port: 'string', resolver_name: 'string', ipv4_compat: 'bool', network_namespace_filepath: 'string' },
    required: ['address'],
    nonEmpty: ['address'],
    oneofRequired: [['port_value', 'named_port']],
  },
  'envoy.config.listener.v3.Listener': {
    fields: {
      name: 'string',
      address: msg('envoy.config.core.v3.Address'),
      additional_addresses: list(msg('opaque')),
      stat_prefix: 'string',
      filter_chains: list(msg('envoy.config.listener.v3.FilterChain')),
      per_connection_buffer_limit_bytes: 'uint32',
      listener_filters: list(msg('opaque')),
      default_filter_chain: msg('envoy.config.listener.v3.FilterChain'),
    },
  },
  'envoy.config.listener.v3.FilterChain': {
    fields: { filter_chain_match: msg('opaque'), filters: list(msg('envoy.config.listener.v3.Filter')), transport_socket: msg('envoy.config.core.v3.TransportSocket'), name: 'string' },
  },
  'envoy.config.listener.v3.Filter': {
    fields: { name: 'string', typed_config: { any: true }, config_discovery: msg('opaque') },
    required: ['name'],
    nonEmpty: ['name'],
  },
  'envoy.config.core.v3.TransportSocket': {
    fields: { name: 'string', typed_config: { any: true } },
    required: ['name'],
    nonEmpty: ['name'],
  },
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager': {
    fields: {
      codec_type: { enum: ['AUTO', 'HTTP1', 'HTTP2', 'HTTP3'] },
      stat_prefix: 'string',
      rds: msg('opaque'),
      route_config: msg('envoy.config.route.v3.RouteConfiguration'),
      scoped_routes: msg('opaque'),
      http_filters: list(msg('envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter')),
      add_user_agent: 'bool',
      common_http_protocol_options: msg('envoy.config.core.v3.HttpProtocolOptions'),
      http_protocol_options: msg('opaque'),
      http2_protocol_options: msg('opaque'),
      server_name: 'string',
      server_header_transformation: { enum: ['OVERWRITE', 'APPEND_IF_ABSENT', 'PASS_THROUGH'] },
      stream_idle_timeout: 'duration',
      request_timeout: 'duration',
      request_headers_timeout: 'duration',
      drain_timeout: 'duration',
      access_log: list(msg('envoy.config.accesslog.v3.AccessLog')),
      use_remote_address: 'bool',
      xff_num_trusted_hops: 'uint32',
      upgrade_configs: list(msg('envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig')),
      normalize_path: 'bool',
      merge_slashes: 'bool',
      max_request_headers_kb: 'uint32',
    },
    required: ['stat_prefix'],
    nonEmpty: ['stat_prefix'],
    oneofRequired: [['rds', 'route_config', 'scoped_routes']],
  },
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.UpgradeConfig': {
    fields: { upgrade_type: 'string', filters: list(msg('opaque')), enabled: 'bool' },
  },
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter': {
    fields: { name: 'string', typed_config: { any: true }, config_discovery: msg('opaque'), is_optional: 'bool', disabled: 'bool' },
    required: ['name'],
    nonEmpty: ['name'],
  },
  'envoy.config.core.v3.HttpProtocolOptions': {
    fields: { idle_timeout: 'duration', max_connection_duration: 'duration', max_headers_count: 'uint32', max_stream_duration: 'duration', headers_with_underscores_action: { enum: ['ALLOW', 'REJECT_REQUEST', 'DROP_HEADER'] }, max_requests_per_connection: 'uint32' },
  },
  'envoy.config.accesslog.v3.AccessLog': {
    fields: { name: 'string', filter: msg('opaque'), typed_config: { any: true } },
  },
  'envoy.config.route.v3.RouteConfiguration': {
    fields: { name: 'string', virtual_hosts: list(msg('envoy.config.route.v3.VirtualHost')), internal_only_headers: list('string'), request_headers_to_add: list(msg('opaque')) },
  },
  'envoy.config.route.v3.VirtualHost': {
    fields: { name: 'string', domains: list('string'), routes: list(msg('envoy.config.route.v3.Route')), require_tls: { enum: ['NONE', 'EXTERNAL_ONLY', 'ALL'] } },
    required: ['name', 'domains'],
    nonEmpty: ['name', 'domains'],
  },
  'envoy.config.route.v3.Route': {
    fields: {
      name: 'string',
      match: msg('envoy.config.route.v3.RouteMatch'),
      route: msg('envoy.config.route.v3.RouteAction'),
      redirect: msg('opaque'),
      direct_response: msg('envoy.config.route.v3.DirectResponseAction'),
      filter_action: msg('opaque'),
      non_forwarding_action: msg('opaque'),
    },
    required: ['match'],
    oneofRequired: [['route', 'redirect', 'direct_response', 'filter_action', 'non_forwarding_action']],
  },
  'envoy.config.route.v3.RouteMatch': {
    fields: { prefix: 'string', path: 'string', safe_regex: msg('opaque'), connect_matcher: msg('opaque'), path_separated_prefix: 'string', path_match_policy: msg('opaque'), case_sensitive: 'bool', headers: list(msg('opaque')), grpc: msg('opaque') },
    oneofRequired: [['prefix', 'path', 'safe_regex', 'connect_matcher', 'path_separated_prefix', 'path_match_policy']],
  },
  'envoy.config.route.v3.RouteAction': {
    fields: { cluster: 'string', cluster_header: 'string', weighted_clusters: msg('opaque'), cluster_specifier_plugin: 'string', timeout: 'duration', idle_timeout: 'duration', retry_policy: msg('opaque'), prefix_rewrite: 'string' },
    oneofRequired: [['cluster', 'cluster_header', 'weighted_clusters', 'cluster_specifier_plugin', 'inline_cluster_specifier_plugin']],
  },
  'envoy.config.route.v3.DirectResponseAction': {
    fields: { status: 'status', body: msg('envoy.config.core.v3.DataSource') },
    required: ['status'],
  },
  'envoy.config.core.v3.DataSource': {
    fields: { filename: 'string', inline_bytes: 'string', inline_string: 'string', environment_variable: 'string' },
    oneofRequired: [['filename', 'inline_bytes', 'inline_string', 'environment_variable']],
  },
  'envoy.config.cluster.v3.Cluster': {
    fields: {
      name: 'string',
      type: { enum: ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'] },
      connect_timeout: 'duration',
      load_assignment: msg('envoy.config.endpoint.v3.ClusterLoadAssignment'),
      lb_policy: { enum: ['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH', 'RANDOM', 'MAGLEV', 'CLUSTER_PROVIDED'] },
      typed_extension_protocol_options: { anyMap: true },
      per_connection_buffer_limit_bytes: 'uint32',
      circuit_breakers: msg('opaque'),
      transport_socket: msg('envoy.config.core.v3.TransportSocket'),
    },
    required: ['name', 'connect_timeout'],
    nonEmpty: ['name'],
  },
  'envoy.config.endpoint.v3.ClusterLoadAssignment': {
    fields: { cluster_name: 'string', endpoints: list(msg('envoy.config.endpoint.v3.LocalityLbEndpoints')), policy: msg('opaque') },
    required: ['cluster_name'],
    nonEmpty: ['cluster_name'],
  },
  'envoy.config.endpoint.v3.LocalityLbEndpoints': {
    fields: { locality: msg('opaque'), lb_endpoints: list(msg('envoy.config.endpoint.v3.LbEndpoint')), priority: 'uint32' },
  },
  'envoy.config.endpoint.v3.LbEndpoint': {
    fields: { endpoint: msg('envoy.config.endpoint.v3.Endpoint'), endpoint_name: 'string', health_status: 'string', load_balancing_weight: 'uint32' },
  },
  'envoy.config.endpoint.v3.Endpoint': {
    fields: { address: msg('envoy.config.core.v3.Address'), health_check_config: msg('opaque'), hostname: 'string' },
  },
  'envoy.extensions.filters.http.router.v3.Router': {
    fields: { dynamic_stats: 'bool', start_child_span: 'bool', upstream_log: list(msg('opaque')), suppress_envoy_headers: 'bool', strict_check_headers: list('string'), respect_expected_rq_timeout: 'bool', suppress_grpc_request_failure_code_stats: 'bool' },
  },
  'envoy.extensions.filters.http.buffer.v3.Buffer': {
    fields: { max_request_bytes: 'uint32' },
    required: ['max_request_bytes'],
  },
  'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog': {
    fields: { log_format: msg('opaque') },
  },
  'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext': {
    fields: { common_tls_context: msg('envoy.extensions.transport_sockets.tls.v3.CommonTlsContext'), require_client_certificate: 'bool', require_sni: 'bool', session_timeout: 'duration' },
  },
  'envoy.extensions.transport_sockets.tls.v3.CommonTlsContext': {
    fields: { tls_params: msg('envoy.extensions.transport_sockets.tls.v3.TlsParameters'), tls_certificates: list(msg('envoy.extensions.transport_sockets.tls.v3.TlsCertificate')), alpn_protocols: list('string'), validation_context: msg('opaque') },
  },
  'envoy.extensions.transport_sockets.tls.v3.TlsParameters': {
    fields: {
      tls_minimum_protocol_version: { enum: ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] },
      tls_maximum_protocol_version: { enum: ['TLS_AUTO', 'TLSv1_0', 'TLSv1_1', 'TLSv1_2', 'TLSv1_3'] },
      cipher_suites: list('string'),
      ecdh_curves: list('string'),
    },
  },
  'envoy.extensions.transport_sockets.tls.v3.TlsCertificate': {
    fields: { certificate_chain: msg('envoy.config.core.v3.DataSource'), private_key: msg('envoy.config.core.v3.DataSource'), watched_directory: msg('opaque') },
  },
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
    fields: {
      common_http_protocol_options: msg('envoy.config.core.v3.HttpProtocolOptions'),
      upstream_http_protocol_options: msg('opaque'),
      explicit_http_config: msg('envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig'),
      use_downstream_protocol_config: msg('opaque'),
      auto_config: msg('opaque'),
      http_filters: list(msg('opaque')),
    },
    oneofRequired: [['explicit_http_config', 'use_downstream_protocol_config', 'auto_config']],
  },
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions.ExplicitHttpConfig': {
    fields: { http_protocol_options: msg('opaque'), http2_protocol_options: msg('opaque'), http3_protocol_options: msg('opaque') },
    oneofRequired: [['http_protocol_options', 'http2_protocol_options', 'http3_protocol_options']],
  },
};

/** Each typed config: its extension name (extensions_build_config.bzl) where Envoy looks it up by name. */
export const TYPED_CONFIGS: Record<string, { extension: string }> = {
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager': { extension: 'envoy.filters.network.http_connection_manager' },
  'envoy.extensions.filters.http.router.v3.Router': { extension: 'envoy.filters.http.router' },
  'envoy.extensions.filters.http.buffer.v3.Buffer': { extension: 'envoy.filters.http.buffer' },
  'envoy.extensions.access_loggers.stream.v3.StdoutAccessLog': { extension: 'envoy.access_loggers.stdout' },
  'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext': { extension: 'envoy.transport_sockets.tls' },
  // typed_extension_protocol_options is keyed by the message name itself (http_protocol_options.proto).
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { extension: 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions' },
};

const TYPE_PREFIX = 'type.googleapis.com/';
// A protobuf JSON Duration: decimal seconds, "s" suffix (google/protobuf/duration.proto).
const DURATION = /^\d+(\.\d{1,9})?s$/;

/** Every problem of `bootstrap` against the table; empty when it conforms. */
export function checkEnvoy(bootstrap: unknown): string[] {
  const problems: string[] = [];
  walk(bootstrap, 'envoy.config.bootstrap.v3.Bootstrap', '', problems);
  return problems;
}

function walk(value: unknown, type: string, at: string, problems: string[], extensionName?: string): void {
  if (type === 'opaque') return;
  const spec = MESSAGES[type];
  if (!spec) {
    problems.push(`${at || '/'}: no table entry for ${type}`);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${at || '/'}: ${type} must be an object`);
    return;
  }
  const obj = value as Record<string, unknown>;
  void extensionName;
  for (const [key, v] of Object.entries(obj)) {
    if (key === '@type') continue;
    const field = spec.fields[key];
    if (!field) {
      problems.push(`${at}/${key}: ${type} has no field "${key}"`);
      continue;
    }
    checkField(v, field, `${at}/${key}`, problems, obj);
  }
  for (const key of spec.required ?? []) {
    if (obj[key] === undefined) problems.push(`${at || '/'}: ${type}.${key} is required`);
  }
  for (const key of spec.nonEmpty ?? []) {
    const v = obj[key];
    if (v !== undefined && (v === '' || (Array.isArray(v) && v.length === 0))) problems.push(`${at}/${key}: must not be empty`);
  }
  for (const group of spec.oneofRequired ?? []) {
    const set = group.filter((k) => obj[k] !== undefined);
    if (set.length !== 1) problems.push(`${at || '/'}: ${type} needs exactly one of ${group.join(', ')} (has ${set.join(', ') || 'none'})`);
  }
}

function checkField(v: unknown, field: FieldType, at: string, problems: string[], parent: Record<string, unknown>): void {
  if (typeof field === 'string') {
    checkScalar(v, field, at, problems);
  } else if ('enum' in field) {
    if (typeof v !== 'string' || !field.enum.includes(v)) problems.push(`${at}: ${JSON.stringify(v)} is not one of ${field.enum.join(', ')}`);
  } else if ('message' in field) {
    walk(v, field.message, at, problems);
  } else if ('repeated' in field) {
    if (!Array.isArray(v)) {
      problems.push(`${at}: must be a list`);
      return;
    }
    v.forEach((item, i) => checkField(item, field.repeated, `${at}/${i}`, problems, parent));
  } else if ('any' in field) {
    checkAny(v, at, problems, typeof parent.name === 'string' ? parent.name : undefined);
  } else if ('anyMap' in field) {
    if (typeof v !== 'object' || v === null) {
      problems.push(`${at}: must be a map`);
      return;
    }
    for (const [key, item] of Object.entries(v)) checkAny(item, `${at}/${key}`, problems, key);
  }
}

function checkAny(v: unknown, at: string, problems: string[], name: string | undefined): void {
  const type = (v as Record<string, unknown> | null)?.['@type'];
  if (typeof type !== 'string' || !type.startsWith(TYPE_PREFIX)) {
    problems.push(`${at}: a typed config needs "@type": "${TYPE_PREFIX}<message>"`);
    return;
  }
  const message = type.slice(TYPE_PREFIX.length);
  const typed = TYPED_CONFIGS[message];
  if (!typed) {
    problems.push(`${at}: @type ${type} is not a typed config the table knows`);
    return;
  }
  if (name !== undefined && name !== typed.extension) {
    problems.push(`${at}: @type ${message} is the extension "${typed.extension}", but is named "${name}"`);
  }
  walk(v, message, at, problems);
}

function checkScalar(v: unknown, type: Scalar, at: string, problems: string[]): void {
  const ok = {
    string: () => typeof v === 'string',
    bool: () => typeof v === 'boolean',
    uint32: () => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffffffff,
    port: () => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535,
    status: () => Number.isInteger(v) && (v as number) >= 100 && (v as number) < 600,
    duration: () => typeof v === 'string' && DURATION.test(v) && parseFloat(v) > 0,
  }[type]();
  if (!ok) problems.push(`${at}: ${JSON.stringify(v)} is not a valid ${type}`);
}
