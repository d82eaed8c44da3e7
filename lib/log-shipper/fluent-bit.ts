/**
 * Renders the Fluent Bit configuration (YAML format) of a log shipper. A pure function of the
 * model: no construct, no Kubernetes object.
 *
 * Fluent Bit reads a file as YAML when its name ends in `.yaml` or `.yml` (`-c
 * /etc/log-shipper/fluent-bit.yaml`).
 *
 * @see https://docs.fluentbit.io/manual/administration/configuring-fluent-bit/yaml
 */
import { Auth, Endpoint, FLUENT_BIT_S3_RETRY_LIMIT, OutputModel, PATHS, perOutputBytes, Ref, ShipperModel } from './model';
import { PlainData, toYaml } from '../engine/config-yaml';

/** The tag of the records the tail input reads; filters and outputs match it. */
const TAG = 'app';

/**
 * Takes the line breaks off the end of `log` (Onigmo, Ruby syntax): `(?m)` lets `.` cross lines,
 * the lazy group stops before the final run of `\n`, `\A`/`\z` anchor the whole text.
 */
const TRIM_REGEX = '(?m)\\A(?<log>.*?)\\n*\\z';

/** `${VAR}` (Fluent Bit substitutes environment variables in every value) or the literal. */
function ref(r: Ref): string {
  switch (r.kind) {
    case 'literal': return r.value;
    case 'pod': return `\${${r.item.envName}}`;
    case 'credential': return `\${${r.item.envName}}`;
  }
}

/** Sizes in the unit syntax Fluent Bit reads (`16M`): docs administration/configuring-fluent-bit/unit-sizes. */
function size(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib}M` : `${Math.max(1, Math.floor(bytes / 1024))}K`;
}

/** The configuration file's text (YAML). */
export function fluentBitFile(model: ShipperModel): string {
  return toYaml(renderFluentBit(model) as PlainData);
}

/** The configuration as an object, ready for `toYaml`. */
export function renderFluentBit(model: ShipperModel): Record<string, unknown> {
  const filesystem = model.buffer.kind === 'filesystem';
  const config: Record<string, unknown> = {
    // docs administration/configuring-fluent-bit/yaml/service-section
    service: {
      flush: 1,
      // Seconds Fluent Bit keeps flushing after SIGTERM (default 5). The kubelet sends SIGTERM
      // to a native sidecar once the app has exited, within terminationGracePeriodSeconds.
      grace: 10,
      log_level: 'info',
      http_server: 'on',
      http_listen: '0.0.0.0',
      http_port: model.healthPort,
      // /api/v1/health, for monitoring; the probes use /api/v1/uptime (see the construct).
      health_check: 'on',
      // A changed ConfigMap rolls the pods (checksum annotation); no SIGHUP or /api/v2/reload.
      hot_reload: 'off',
      ...(filesystem ? {
        'storage.path': `${PATHS.state}/storage`,
        'storage.sync': 'normal',
        'storage.checksum': 'off',
        // Chunks (up to ~2MB each) kept in memory at once; the rest wait on disk (default 128).
        'storage.max_chunks_up': 16,
        'storage.backlog.mem_limit': '16M',
        'storage.delete_irrecoverable_chunks': 'on',
      } : {}),
    },
  };

  const multiline = model.multiline !== undefined;
  const parsers: Record<string, unknown>[] = [];
  if (multiline) {
    // With a multiline parser the record keeps a line break at its end (fluent/fluent-bit#4227,
    // #8914), and none without one; Vector's joined records (src/line_agg.rs) have none, but end
    // in line breaks when blank lines continued the record. Every trailing line break is cut off
    // before anything else reads `log`, so that both engines make the same record of the same
    // lines. Onigmo, Ruby syntax (src/flb_regex.c): `(?m)` lets `.` match a newline, \A and \z
    // are the ends of the whole text. The match cannot fail; skip_empty_values off keeps an
    // empty `log` (a record of blank lines) instead of dropping the key.
    parsers.push({ name: 'app_trim', format: 'regex', regex: TRIM_REGEX, skip_empty_values: 'off' });
  }
  if (model.parser.kind === 'json') parsers.push({ name: 'app_json', format: 'json' });
  if (model.parser.kind === 'regex') {
    // A joined record spans lines. Fluent Bit compiles parser regexes with Onigmo in Ruby syntax
    // (src/flb_regex.c: ONIG_SYNTAX_RUBY), where `.` stops at a newline unless the `m` option is
    // on ("m: multi-line (dot (.) also matches newline)", Onigmo doc/RE), so `(?<message>.*)$`
    // kept only the first line. `(?m)` in front turns it on; Ruby's `^` and `$` already match at
    // every line, which is what Vector gets with `(?sm)` (see vector.ts).
    // docs data-pipeline/parsers/regular-expression: Onigmo in Ruby mode.
    parsers.push({ name: 'app_regex', format: 'regex', regex: multiline ? `(?m)${model.parser.pattern}` : model.parser.pattern });
  }
  if (parsers.length > 0) config.parsers = parsers;

  let multilineParser: string | undefined;
  if (model.multiline?.kind === 'builtin') {
    // Built-in multiline parsers: docs administration/configuring-fluent-bit/multiline-parsing.
    multilineParser = model.multiline.language;
  } else if (model.multiline?.kind === 'start') {
    multilineParser = 'app_multiline';
    const start = model.multiline.pattern;
    config.multiline_parsers = [{
      name: 'app_multiline',
      type: 'regex',
      flush_timeout: 1000,
      rules: [
        { state: 'start_state', regex: `/${start}/`, next_state: 'cont' },
        // Every line that does not start a record continues the one before (Onigmo lookahead).
        { state: 'cont', regex: `/^(?!${start})/`, next_state: 'cont' },
      ],
    }];
  }

  // docs data-pipeline/inputs/tail; keys checked against plugins/in_tail/tail.c config_map.
  const input: Record<string, unknown> = {
    'name': 'tail',
    'alias': 'app_logs',
    'tag': TAG,
    'path': model.pathGlob,
    'path_key': 'file',
    // Offsets survive a restart of the shipper container: the state emptyDir outlives it.
    'db': `${PATHS.state}/tail.db`,
    'db.locking': 'true',
    'read_from_head': 'true',
    // Look for new files every 5 s (default 60), keep reading a rotated file 10 s (default 5).
    'refresh_interval': 5,
    'rotate_wait': 10,
    // Lines up to 256KiB; longer ones are skipped rather than stopping the file (default 32k, stop).
    'buffer_chunk_size': '32K',
    'buffer_max_size': '256K',
    'skip_long_lines': 'on',
    ...(filesystem ? { 'storage.type': 'filesystem' } : { 'storage.type': 'memory', 'mem_buf_limit': size(model.buffer.maxBytes!) }),
    ...(multilineParser ? { 'multiline.parser': multilineParser } : {}),
  };

  const filters: Record<string, unknown>[] = [];
  if (multiline) {
    // First of all filters, so that the parser and every output see the trimmed line.
    filters.push({
      name: 'parser',
      alias: 'app_trim',
      match: TAG,
      key_name: 'log',
      parser: 'app_trim',
      reserve_data: 'on',
    });
  }
  if (model.parser.kind !== 'none') {
    // docs data-pipeline/filters/parser: a line that does not parse passes unchanged.
    filters.push({
      name: 'parser',
      alias: 'app_parser',
      match: TAG,
      key_name: 'log',
      parser: model.parser.kind === 'json' ? 'app_json' : 'app_regex',
      reserve_data: 'on',
    });
  }
  if (model.fields.length > 0) {
    // docs data-pipeline/filters/record-modifier: `record` takes "KEY VALUE", once per field.
    filters.push({
      name: 'record_modifier',
      alias: 'app_fields',
      match: TAG,
      record: model.fields.map(([name, value]) => `${name} ${ref(value)}`),
    });
  }

  config.pipeline = {
    inputs: [input],
    ...(filters.length > 0 ? { filters } : {}),
    outputs: model.outputs.map((o) => output(model, o)),
  };
  return config;
}

function output(model: ShipperModel, o: OutputModel): Record<string, unknown> {
  const common: Record<string, unknown> = o.kind === 's3' ? {
    alias: o.id,
    match: TAG,
    // The s3 output reads `no_limits` (-1) as 5 (plugins/out_s3/s3.c cb_s3_init: retry_limit < 0
    // becomes MAX_UPLOAD_ERRORS), after which a buffered file is set aside; a number is used as
    // it is, both for its uploads and for the engine's retries of a chunk it could not buffer.
    retry_limit: FLUENT_BIT_S3_RETRY_LIMIT,
    // No storage.total_limit_size: the s3 output buffers in its own store_dir (bounded below by
    // store_dir_limit_size) and warns at start when given one (s3.c cb_s3_init).
  } : {
    alias: o.id,
    match: TAG,
    // Retry until delivered: the tail input pauses while the buffer is full, and the files wait.
    retry_limit: 'no_limits',
    ...(model.buffer.kind === 'filesystem' ? { 'storage.total_limit_size': size(perOutputBytes(model)) } : {}),
  };
  switch (o.kind) {
    case 'stdout':
      // docs data-pipeline/outputs/standard-output
      return { name: 'stdout', ...common, format: 'json_lines', json_date_key: 'timestamp', json_date_format: 'iso8601' };
    case 'loki':
      // docs data-pipeline/outputs/loki: host/port/uri, labels "k=v, k=v", tenant_id.
      return {
        name: 'loki',
        ...common,
        ...net(o.endpoint),
        uri: `${o.endpoint.path}/loki/api/v1/push`,
        labels: o.labels.map(([k, v]) => `${k}=${ref(v)}`).join(', '),
        line_format: 'json',
        ...(o.tenant !== undefined ? { tenant_id: o.tenant } : {}),
        ...auth(o.auth),
      };
    case 'elasticsearch':
      // docs data-pipeline/outputs/elasticsearch: suppress_type_name for ES 8+ and OpenSearch.
      return {
        name: 'es',
        ...common,
        ...net(o.endpoint),
        ...(o.endpoint.path ? { path: o.endpoint.path } : {}),
        index: o.index,
        suppress_type_name: 'on',
        replace_dots: 'on',
        trace_error: 'on',
        ...auth(o.auth),
      };
    case 'http': {
      // docs data-pipeline/outputs/http
      const headers = o.headers.map(([k, v]) => `${k} ${ref(v)}`);
      if (o.auth?.kind === 'bearer') headers.push(`Authorization Bearer ${ref(o.auth.token)}`);
      return {
        name: 'http',
        ...common,
        ...net(o.endpoint),
        uri: `${o.endpoint.path || '/'}${o.endpoint.query}`,
        format: 'json_lines',
        json_date_key: 'timestamp',
        json_date_format: 'iso8601',
        ...(headers.length > 0 ? { header: headers } : {}),
        ...(o.auth?.kind === 'basic' ? { http_user: ref(o.auth.user), http_passwd: ref(o.auth.password) } : {}),
      };
    }
    case 's3': {
      // docs data-pipeline/outputs/s3; credentials come from the AWS chain (environment first).
      // The output's share of the buffer is its store_dir: records wait there, up to
      // store_dir_limit_size ("if the limit is reached, data will be discarded", s3.c
      // config_map), for an upload every upload_timeout or each total_file_size.
      const store = perOutputBytes(model);
      return {
        name: 's3',
        ...common,
        bucket: o.bucket,
        region: o.region,
        store_dir: `${PATHS.state}/s3/${o.id}`,
        store_dir_limit_size: size(store),
        // A few files fit in the store, so that one being uploaded leaves room for the next.
        total_file_size: size(Math.min(16 * 1024 * 1024, Math.floor(store / 4))),
        upload_timeout: '1m',
        use_put_object: 'on',
        compression: 'gzip',
        s3_key_format: `/${o.keyPrefix}%Y/%m/%d/%H%M%S-$UUID.gz`,
        ...(o.endpoint ? { endpoint: `${o.endpoint.origin}${o.endpoint.path}` } : {}),
        ...(o.endpoint?.caFile ? { 'tls.ca_file': o.endpoint.caFile } : {}),
      };
    }
    case 'raw':
      return { ...common, ...o.block };
  }
}

/** host/port and TLS, for the outputs that take them (docs administration/transport-security). */
function net(e: Endpoint): Record<string, unknown> {
  return {
    host: e.host,
    port: e.port,
    ...(e.scheme === 'https' ? {
      'tls': 'on',
      'tls.verify': 'on',
      // SNI: without it, a server behind a shared ingress may present the wrong certificate.
      'tls.vhost': e.host,
      ...(e.caFile ? { 'tls.ca_file': e.caFile } : {}),
    } : {}),
  };
}

/** Basic auth (`http_user`/`http_passwd`) or Loki's `bearer_token`. */
function auth(a: Auth | undefined): Record<string, unknown> {
  if (a === undefined) return {};
  if (a.kind === 'bearer') return { bearer_token: ref(a.token) };
  return { http_user: ref(a.user), http_passwd: ref(a.password) };
}
