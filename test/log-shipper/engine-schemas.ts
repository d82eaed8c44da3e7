/**
 * What Fluent Bit and Vector accept, as tables of known keys (and the values of the enumerated
 * ones), to check generated configurations here, where neither program can run: a misspelt or
 * made-up key fails a test instead of a pod.
 *
 * Fluent Bit 5.1: the YAML sections (fluent/fluent-bit-docs administration/configuring-fluent-bit/
 * yaml/{service,pipeline,parsers,multiline-parsers}-section.md), the plugin pages under
 * data-pipeline/, the tail input's config_map (fluent/fluent-bit plugins/in_tail/tail.c) and the
 * loki output's (plugins/out_loki/loki.c). Vector 0.59: the generated component references
 * (vectordotdev/vector website/cue/reference/components/**\/generated/*.cue) and the secrets
 * backends (src/secrets/directory.rs).
 */

type Table = Record<string, readonly string[] | null>; // key -> allowed values, or null for any

const FB_ON_OFF = ['on', 'off', 'true', 'false'];

/** Fluent Bit: top-level sections of a YAML configuration file. */
export const FLUENT_BIT_SECTIONS = ['env', 'includes', 'service', 'parsers', 'multiline_parsers', 'pipeline', 'plugins', 'upstream_servers', 'customs'];

export const FLUENT_BIT_SERVICE: Table = {
  'flush': null,
  'grace': null,
  'daemon': FB_ON_OFF,
  'dns.mode': null,
  'dns.resolver': null,
  'dns.prefer_ipv4': FB_ON_OFF,
  'dns.prefer_ipv6': FB_ON_OFF,
  'log_file': null,
  'log_level': ['off', 'error', 'warn', 'info', 'debug', 'trace'],
  'http_server': FB_ON_OFF,
  'http_listen': null,
  'http_port': null,
  'health_check': FB_ON_OFF,
  'hc_errors_count': null,
  'hc_retry_failure_count': null,
  'hc_period': null,
  'hot_reload': FB_ON_OFF,
  'hot_reload.ensure_thread_safety': FB_ON_OFF,
  'hot_reload.timeout': null,
  'parsers_file': null,
  'plugins_file': null,
  'streams_file': null,
  'coro_stack_size': null,
  'scheduler.base': null,
  'scheduler.cap': null,
  'multiline_buffer_limit': null,
  'json.convert_nan_to_null': null,
  'json.escape_unicode': null,
  'sp.convert_from_str_to_num': null,
  'enable_chunk_trace': FB_ON_OFF,
  'storage.path': null,
  'storage.sync': ['normal', 'full'],
  'storage.checksum': FB_ON_OFF,
  'storage.max_chunks_up': null,
  'storage.backlog.mem_limit': null,
  'storage.backlog.flush_on_shutdown': FB_ON_OFF,
  'storage.metrics': FB_ON_OFF,
  'storage.delete_irrecoverable_chunks': FB_ON_OFF,
  'storage.inherit': FB_ON_OFF,
  'storage.keep.rejected': FB_ON_OFF,
  'storage.rejected.path': null,
  'storage.trim_files': FB_ON_OFF,
  'storage.type': ['memory', 'filesystem', 'memrb'],
};

/** Properties every input takes (fluent/fluent-bit src/flb_input.c). */
const FB_INPUT_COMMON: Table = {
  'name': null,
  'alias': null,
  'tag': null,
  'log_level': null,
  'mem_buf_limit': null,
  'storage.type': ['memory', 'filesystem', 'memrb'],
  'storage.pause_on_chunks_overlimit': FB_ON_OFF,
  'threaded': FB_ON_OFF,
  'routable': null,
  'processors': null,
};

export const FLUENT_BIT_INPUTS: Record<string, Table> = {
  // plugins/in_tail/tail.c config_map
  tail: {
    ...FB_INPUT_COMMON,
    'path': null,
    'exclude_path': null,
    'key': null,
    'read_from_head': FB_ON_OFF,
    'read_newly_discovered_files_from_head': FB_ON_OFF,
    'refresh_interval': null,
    'watcher_interval': null,
    'progress_check_interval': null,
    'progress_check_interval_nsec': null,
    'rotate_wait': null,
    'docker_mode': FB_ON_OFF,
    'docker_mode_flush': null,
    'docker_mode_parser': null,
    'path_key': null,
    'offset_key': null,
    'ignore_older': null,
    'ignore_active_older_files': FB_ON_OFF,
    'buffer_chunk_size': null,
    'buffer_max_size': null,
    'static_batch_size': null,
    'event_batch_size': null,
    'skip_long_lines': FB_ON_OFF,
    'exit_on_eof': FB_ON_OFF,
    'skip_empty_lines': FB_ON_OFF,
    'truncate_long_lines': FB_ON_OFF,
    'file_cache_advise': FB_ON_OFF,
    'inotify_watcher': FB_ON_OFF,
    'parser': null,
    'tag_regex': null,
    'db': null,
    'db.sync': ['extra', 'full', 'normal', 'off'],
    'db.locking': FB_ON_OFF,
    'db.journal_mode': null,
    'db.compare_filename': FB_ON_OFF,
    'multiline': FB_ON_OFF,
    'multiline_flush': null,
    'parser_firstline': null,
    'multiline.parser': null,
    'unicode.encoding': null,
    'generic.encoding': null,
  },
};

export const FLUENT_BIT_FILTERS: Record<string, Table> = {
  // data-pipeline/filters/parser
  parser: {
    name: null,
    alias: null,
    match: null,
    match_regex: null,
    key_name: null,
    parser: null,
    preserve_key: FB_ON_OFF,
    reserve_data: FB_ON_OFF,
    unescape_key: FB_ON_OFF,
  },
  // data-pipeline/filters/record-modifier
  record_modifier: {
    name: null,
    alias: null,
    match: null,
    match_regex: null,
    record: null,
    remove_key: null,
    allowlist_key: null,
    whitelist_key: null,
    uuid_key: null,
  },
};

/** Properties every output takes (fluent/fluent-bit src/flb_output.c, administration/transport-security, networking). */
const FB_OUTPUT_COMMON: Table = {
  'name': null,
  'alias': null,
  'match': null,
  'match_regex': null,
  'log_level': null,
  'retry_limit': null,
  'workers': null,
  'storage.total_limit_size': null,
  'host': null,
  'port': null,
  'tls': FB_ON_OFF,
  'tls.verify': FB_ON_OFF,
  'tls.verify_hostname': FB_ON_OFF,
  'tls.debug': null,
  'tls.ca_file': null,
  'tls.ca_path': null,
  'tls.crt_file': null,
  'tls.key_file': null,
  'tls.key_passwd': null,
  'tls.vhost': null,
  'tls.min_version': null,
  'tls.max_version': null,
  'tls.ciphers': null,
  'net.connect_timeout': null,
  'net.keepalive': FB_ON_OFF,
  'net.keepalive_idle_timeout': null,
  'net.dns.mode': null,
  'net.source_address': null,
  'processors': null,
};

const FB_JSON_FORMATS = ['msgpack', 'json', 'json_lines', 'json_stream', 'gelf'];

export const FLUENT_BIT_OUTPUTS: Record<string, Table> = {
  // data-pipeline/outputs/standard-output
  stdout: { ...FB_OUTPUT_COMMON, format: FB_JSON_FORMATS, json_date_key: null, json_date_format: ['double', 'epoch', 'epoch_ms', 'iso8601', 'java_sql_timestamp'] },
  // data-pipeline/outputs/loki; plugins/out_loki/loki.c
  loki: {
    ...FB_OUTPUT_COMMON,
    uri: null,
    http_user: null,
    http_passwd: null,
    bearer_token: null,
    header: null,
    tenant_id: null,
    tenant_id_key: null,
    labels: null,
    label_keys: null,
    label_map_path: null,
    remove_keys: null,
    drop_single_key: FB_ON_OFF,
    line_format: ['json', 'key_value'],
    auto_kubernetes_labels: FB_ON_OFF,
    structured_metadata: null,
    structured_metadata_map_keys: null,
    compress: null,
  },
  // data-pipeline/outputs/elasticsearch
  es: {
    ...FB_OUTPUT_COMMON,
    path: null,
    index: null,
    type: null,
    http_user: null,
    http_passwd: null,
    http_api_key: null,
    compress: null,
    cloud_id: null,
    cloud_auth: null,
    aws_auth: FB_ON_OFF,
    aws_region: null,
    aws_sts_endpoint: null,
    aws_role_arn: null,
    aws_external_id: null,
    aws_service_name: null,
    aws_profile: null,
    buffer_size: null,
    pipeline: null,
    logstash_format: FB_ON_OFF,
    logstash_prefix: null,
    logstash_prefix_key: null,
    logstash_prefix_separator: null,
    logstash_dateformat: null,
    time_key: null,
    time_key_format: null,
    time_key_nanos: FB_ON_OFF,
    include_tag_key: FB_ON_OFF,
    tag_key: null,
    generate_id: FB_ON_OFF,
    id_key: null,
    write_operation: null,
    replace_dots: FB_ON_OFF,
    trace_output: FB_ON_OFF,
    trace_error: FB_ON_OFF,
    current_time_index: FB_ON_OFF,
    suppress_type_name: FB_ON_OFF,
  },
  // data-pipeline/outputs/http
  http: {
    ...FB_OUTPUT_COMMON,
    uri: null,
    format: FB_JSON_FORMATS,
    header: null,
    http_user: null,
    http_passwd: null,
    compress: null,
    allow_duplicated_headers: FB_ON_OFF,
    log_response_payload: FB_ON_OFF,
    json_date_key: null,
    json_date_format: null,
    header_tag: null,
    headers_key: null,
    body_key: null,
    gelf_timestamp_key: null,
    gelf_host_key: null,
    gelf_short_message_key: null,
    gelf_full_message_key: null,
    gelf_level_key: null,
    proxy: null,
  },
  // data-pipeline/outputs/s3
  s3: {
    ...FB_OUTPUT_COMMON,
    bucket: null,
    region: null,
    total_file_size: null,
    upload_chunk_size: null,
    upload_timeout: null,
    store_dir: null,
    store_dir_limit_size: null,
    s3_key_format: null,
    s3_key_format_tag_delimiters: null,
    static_file_path: FB_ON_OFF,
    use_put_object: FB_ON_OFF,
    role_arn: null,
    endpoint: null,
    sts_endpoint: null,
    profile: null,
    canned_acl: null,
    compression: ['gzip', 'arrow', 'parquet', 'snappy', 'zstd'],
    content_type: null,
    send_content_md5: FB_ON_OFF,
    auto_retry_requests: FB_ON_OFF,
    log_key: null,
    preserve_data_ordering: FB_ON_OFF,
    storage_class: null,
    retry_limit: null,
    external_id: null,
    json_date_key: null,
    json_date_format: null,
    format: null,
  },
};

export const FLUENT_BIT_PARSER: Table = {
  name: null,
  format: ['json', 'regex', 'ltsv', 'logfmt'],
  regex: null,
  time_key: null,
  time_format: null,
  time_keep: null,
  time_offset: null,
  time_strict: null,
  types: null,
  decode_field: null,
  decode_field_as: null,
  skip_empty_values: null,
};

export const FLUENT_BIT_MULTILINE_PARSER: Table = {
  name: null,
  type: ['regex', 'endswith', 'equal'],
  flush_timeout: null,
  rules: null,
  key_content: null,
  key_pattern: null,
  key_group: null,
  parser: null,
  match_string: null,
  negate: null,
};

export const FLUENT_BIT_BUILTIN_MULTILINE = ['docker', 'cri', 'go', 'python', 'java', 'ruby'];

// --- Vector ------------------------------------------------------------------------------------

export const VECTOR_TOP_LEVEL = [
  'data_dir', 'api', 'secret', 'sources', 'transforms', 'sinks', 'acknowledgements', 'timezone', 'log_schema', 'healthchecks',
  'enrichment_tables', 'schema', 'expire_metrics_secs', 'proxy', 'tests',
];

export const VECTOR_API: Table = { enabled: null, address: null };

export const VECTOR_SECRET_BACKENDS: Record<string, Table> = {
  // src/secrets/directory.rs, file.rs
  directory: { type: null, path: null, remove_trailing_whitespace: null },
  file: { type: null, path: null },
};

export const VECTOR_SOURCES: Record<string, Table> = {
  // website/cue/reference/components/sources/generated/file.cue
  file: {
    type: null,
    include: null,
    exclude: null,
    data_dir: null,
    encoding: null,
    file_discovery_mode: ['notify', 'polling'],
    file_key: null,
    fingerprint: null,
    glob_minimum_cooldown_ms: null,
    host_key: null,
    idle_timeout_secs: null,
    ignore_checkpoints: null,
    ignore_not_found: null,
    ignore_older_secs: null,
    internal_metrics: null,
    line_delimiter: null,
    max_line_bytes: null,
    max_read_bytes: null,
    multiline: null,
    offset_key: null,
    oldest_first: null,
    read_from: ['beginning', 'end'],
    reconcile_interval_secs: null,
    remove_after_secs: null,
    rotate_wait_secs: null,
    acknowledgements: null,
  },
};

/** `multiline` of the file source: all four keys required (MultilineConfig). */
export const VECTOR_MULTILINE: Table = {
  start_pattern: null, condition_pattern: null, mode: ['continue_through', 'continue_past', 'halt_before', 'halt_with'], timeout_ms: null,
};

export const VECTOR_TRANSFORMS: Record<string, Table> = {
  remap: {
    type: null,
    inputs: null,
    source: null,
    file: null,
    files: null,
    drop_on_error: null,
    drop_on_abort: null,
    reroute_dropped: null,
    timezone: null,
    metric_tag_values: null,
  },
};

/** Options every sink takes (acknowledgements, buffer, healthcheck, proxy). */
const VECTOR_SINK_COMMON: Table = {
  type: null,
  inputs: null,
  acknowledgements: null,
  buffer: null,
  healthcheck: null,
  proxy: null,
  dangerously_allow_unconfined_template_resolution: null,
};
const VECTOR_HTTP_SINK: Table = { auth: null, tls: null, request: null, batch: null, compression: null, encoding: null };

export const VECTOR_SINKS: Record<string, Table> = {
  console: { ...VECTOR_SINK_COMMON, target: ['stdout', 'stderr'], encoding: null, framing: null },
  loki: {
    ...VECTOR_SINK_COMMON,
    ...VECTOR_HTTP_SINK,
    endpoint: null,
    path: null,
    labels: null,
    tenant_id: null,
    out_of_order_action: ['accept', 'drop', 'rewrite_timestamp'],
    remove_label_fields: null,
    remove_structured_metadata_fields: null,
    remove_timestamp: null,
    structured_metadata: null,
  },
  elasticsearch: {
    ...VECTOR_SINK_COMMON,
    ...VECTOR_HTTP_SINK,
    endpoints: null,
    endpoint: null,
    api_version: ['auto', 'v6', 'v7', 'v8'],
    mode: ['bulk', 'data_stream'],
    bulk: null,
    data_stream: null,
    id_key: null,
    pipeline: null,
    query: null,
    aws: null,
    distribution: null,
    doc_type: null,
    suppress_type_name: null,
    metrics: null,
    opensearch_service_type: null,
    request_retry_partial: null,
  },
  http: {
    ...VECTOR_SINK_COMMON,
    ...VECTOR_HTTP_SINK,
    uri: null,
    method: ['post', 'put', 'patch', 'delete', 'get', 'head', 'options', 'trace'],
    framing: null,
    headers: null,
    payload_prefix: null,
    payload_suffix: null,
  },
  aws_s3: {
    ...VECTOR_SINK_COMMON,
    bucket: null,
    region: null,
    endpoint: null,
    key_prefix: null,
    filename_append_uuid: null,
    filename_extension: null,
    filename_time_format: null,
    compression: ['none', 'gzip', 'zlib', 'zstd', 'snappy'],
    encoding: null,
    framing: null,
    auth: null,
    tls: null,
    request: null,
    batch: null,
    acl: null,
    content_encoding: null,
    content_type: null,
    grant_full_control: null,
    grant_read: null,
    grant_read_acp: null,
    grant_write_acp: null,
    server_side_encryption: null,
    ssekms_key_id: null,
    storage_class: null,
    tags: null,
    force_path_style: null,
    assume_role: null,
    timezone: null,
  },
};

export const VECTOR_BUFFER: Table = { type: ['memory', 'disk'], max_events: null, max_size: null, when_full: ['block', 'drop_newest', 'overflow'] };
export const VECTOR_AUTH: Table = { strategy: ['basic', 'bearer', 'aws'], user: null, password: null, token: null, access_key_id: null, secret_access_key: null };
export const VECTOR_TLS: Table = {
  ca_file: null,
  crt_file: null,
  key_file: null,
  key_pass: null,
  verify_certificate: null,
  verify_hostname: null,
  server_name: null,
  alpn_protocols: null,
};
export const VECTOR_ENCODING: Table = { codec: ['json', 'text', 'logfmt', 'raw_message', 'native_json', 'csv', 'gelf'], json: null, except_fields: null, only_fields: null, timestamp_format: null };
export const VECTOR_FRAMING: Table = { method: ['newline_delimited', 'bytes', 'character_delimited', 'length_delimited'], character_delimited: null };

/**
 * Problems of one block against its table: unknown keys, and enumerated values out of range.
 * Values are compared as strings (Fluent Bit reads every scalar as a string).
 */
export function tableProblems(where: string, block: Record<string, unknown>, table: Table): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (!(key in table)) {
      problems.push(`${where}: unknown key "${key}"`);
      continue;
    }
    const allowed = table[key];
    if (allowed && !allowed.includes(String(value))) problems.push(`${where}: "${key}" is ${JSON.stringify(value)}, expected one of ${allowed.join(', ')}`);
  }
  return problems;
}

/** Checks a parsed Fluent Bit YAML configuration; returns every problem. */
export function fluentBitProblems(config: any): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(config)) if (!FLUENT_BIT_SECTIONS.includes(key)) problems.push(`unknown section "${key}"`);
  problems.push(...tableProblems('service', config.service ?? {}, FLUENT_BIT_SERVICE));
  const parserNames = new Set<string>();
  for (const [i, p] of (config.parsers ?? []).entries()) {
    problems.push(...tableProblems(`parsers[${i}]`, p, FLUENT_BIT_PARSER));
    parserNames.add(p.name);
  }
  const multilineNames = new Set<string>(FLUENT_BIT_BUILTIN_MULTILINE);
  for (const [i, p] of (config.multiline_parsers ?? []).entries()) {
    problems.push(...tableProblems(`multiline_parsers[${i}]`, p, FLUENT_BIT_MULTILINE_PARSER));
    for (const [j, rule] of (p.rules ?? []).entries()) {
      problems.push(...tableProblems(`multiline_parsers[${i}].rules[${j}]`, rule, { state: null, regex: null, next_state: null }));
      if (!/^\/.*\/$/.test(rule.regex)) problems.push(`multiline_parsers[${i}].rules[${j}]: regex must be written /.../`);
    }
    multilineNames.add(p.name);
  }
  const pipeline = config.pipeline ?? {};
  for (const key of Object.keys(pipeline)) if (!['inputs', 'filters', 'outputs'].includes(key)) problems.push(`pipeline: unknown key "${key}"`);
  const check = (kind: string, list: any[], tables: Record<string, Table>) => {
    for (const [i, block] of (list ?? []).entries()) {
      const table = tables[block.name];
      if (!table) problems.push(`pipeline.${kind}[${i}]: unknown plugin "${block.name}"`);
      else problems.push(...tableProblems(`pipeline.${kind}[${i}] (${block.name})`, block, table));
    }
  };
  check('inputs', pipeline.inputs, FLUENT_BIT_INPUTS);
  check('filters', pipeline.filters, FLUENT_BIT_FILTERS);
  check('outputs', pipeline.outputs, FLUENT_BIT_OUTPUTS);
  if (!Array.isArray(pipeline.inputs) || pipeline.inputs.length === 0) problems.push('pipeline: no input');
  if (!Array.isArray(pipeline.outputs) || pipeline.outputs.length === 0) problems.push('pipeline: no output');
  for (const input of pipeline.inputs ?? []) {
    if (input.parser !== undefined && !parserNames.has(input.parser)) problems.push(`input parser "${input.parser}" is not defined`);
    for (const ml of String(input['multiline.parser'] ?? '').split(',').filter(Boolean)) {
      if (!multilineNames.has(ml.trim())) problems.push(`multiline parser "${ml}" is not defined`);
    }
  }
  for (const filter of pipeline.filters ?? []) {
    if (filter.name === 'parser' && !parserNames.has(filter.parser)) problems.push(`filter parser "${filter.parser}" is not defined`);
  }
  return problems;
}

/** Checks a parsed Vector YAML configuration; returns every problem. */
export function vectorProblems(config: any): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(config)) if (!VECTOR_TOP_LEVEL.includes(key)) problems.push(`unknown top-level key "${key}"`);
  if (config.api) problems.push(...tableProblems('api', config.api, VECTOR_API));
  for (const [name, backend] of Object.entries<any>(config.secret ?? {})) {
    const table = VECTOR_SECRET_BACKENDS[backend.type];
    if (!table) problems.push(`secret.${name}: unknown backend type "${backend.type}"`);
    else problems.push(...tableProblems(`secret.${name}`, backend, table));
    if (!/^[A-Za-z0-9_-]+$/.test(name)) problems.push(`secret.${name}: backend names are word characters`);
  }
  const ids = new Set<string>();
  const component = (kind: string, tables: Record<string, Table>) => {
    for (const [id, block] of Object.entries<any>(config[kind] ?? {})) {
      ids.add(id);
      const table = tables[block.type];
      if (!table) {
        problems.push(`${kind}.${id}: unknown type "${block.type}"`);
        continue;
      }
      problems.push(...tableProblems(`${kind}.${id} (${block.type})`, block, table));
      if (block.multiline) problems.push(...tableProblems(`${kind}.${id}.multiline`, block.multiline, VECTOR_MULTILINE), ...requiredProblems(`${kind}.${id}.multiline`, block.multiline, Object.keys(VECTOR_MULTILINE)));
      if (block.buffer) problems.push(...tableProblems(`${kind}.${id}.buffer`, block.buffer, VECTOR_BUFFER));
      if (block.auth) problems.push(...tableProblems(`${kind}.${id}.auth`, block.auth, VECTOR_AUTH));
      if (block.tls) problems.push(...tableProblems(`${kind}.${id}.tls`, block.tls, VECTOR_TLS));
      if (block.encoding) problems.push(...tableProblems(`${kind}.${id}.encoding`, block.encoding, VECTOR_ENCODING));
      if (block.framing) problems.push(...tableProblems(`${kind}.${id}.framing`, block.framing, VECTOR_FRAMING));
      if (block.acknowledgements) problems.push(...tableProblems(`${kind}.${id}.acknowledgements`, block.acknowledgements, { enabled: null }));
    }
  };
  component('sources', VECTOR_SOURCES);
  component('transforms', VECTOR_TRANSFORMS);
  component('sinks', VECTOR_SINKS);
  for (const kind of ['transforms', 'sinks']) {
    for (const [id, block] of Object.entries<any>(config[kind] ?? {})) {
      if (!Array.isArray(block.inputs) || block.inputs.length === 0) problems.push(`${kind}.${id}: no inputs`);
      for (const input of block.inputs ?? []) if (!ids.has(input) || input === id) problems.push(`${kind}.${id}: input "${input}" is not a source or transform`);
    }
  }
  if (Object.keys(config.sinks ?? {}).length === 0) problems.push('no sink');
  // Every SECRET[backend.key] names a configured backend (src/config/loading/secret.rs COLLECTOR).
  const text = JSON.stringify(config);
  for (const m of text.matchAll(/SECRET\[([^\].]*)\.([^\]]*)\]/g)) {
    if (!(m[1] in (config.secret ?? {}))) problems.push(`SECRET[${m[1]}.${m[2]}] names no secret backend`);
    if (!/^[A-Za-z0-9_-]+$/.test(m[1]) || !/^[A-Za-z0-9_.\-/]+$/.test(m[2])) problems.push(`SECRET[${m[1]}.${m[2]}] is not matched by Vector's pattern`);
  }
  return problems;
}

function requiredProblems(where: string, block: Record<string, unknown>, keys: string[]): string[] {
  return keys.filter((k) => block[k] === undefined).map((k) => `${where}: missing required "${k}"`);
}
