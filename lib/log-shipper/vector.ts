/**
 * Renders the Vector configuration (YAML) of a log shipper. A pure function of the model.
 *
 * Values from the pod and credentials go through Vector's `directory` secrets backend
 * (`SECRET[<backend>.<file>]`, resolved when Vector loads the configuration): since Vector 0.57
 * environment variables are no longer interpolated in configuration files unless Vector runs
 * with `--dangerously-allow-env-var-interpolation` (0.57 upgrade guide), and the secrets backend
 * is the replacement the upgrade guide recommends.
 *
 * @see https://vector.dev/docs/reference/configuration/
 * @see https://vector.dev/docs/reference/configuration/global-options/#secret
 */
import { Auth, Endpoint, OutputModel, PATHS, Ref, ShipperModel } from './model';
import { PlainData, toYaml } from '../engine/config-yaml';

/** Secrets backends (`secret.<name>` in the configuration). */
const POD_INFO = 'pod_info';
const CREDENTIALS = 'credentials';

/** The line breaks at the end of a joined record (Rust regex: `\z` is the end of the text). */
const TRIM_PATTERN = '\\n+\\z';

const SOURCE = 'app_logs';
const TRANSFORM = 'app_records';

function ref(r: Ref): string {
  switch (r.kind) {
    case 'literal': return r.value;
    case 'pod': return `SECRET[${POD_INFO}.${r.item.id}]`;
    case 'credential': return `SECRET[${CREDENTIALS}.${r.item.id}]`;
  }
}

/**
 * A VRL string literal of a value that is a literal (checked by the model to hold no quote,
 * backslash or brace) or a `SECRET[...]` reference, which Vector replaces before compiling VRL
 * with a value of the pod (a name, namespace, UID or label value: no quote or brace either).
 */
function vrlString(r: Ref): string {
  return `"${ref(r)}"`;
}

/**
 * Multiline rules for Vector's file source, the closest to Fluent Bit's built-in parsers
 * (fluent/fluent-bit src/multiline/flb_ml_parser_{java,go,python}.c), which Vector lacks.
 */
const MULTILINE: Record<'java' | 'go' | 'python', { start_pattern: string; condition_pattern: string; mode: string }> = {
  java: {
    start_pattern: '^[^\\s]',
    condition_pattern: '^(?:[\\t ]+(?:eval )?at |[\\t ]*(?:Caused by|Suppressed):|[\\t ]*\\.\\.\\. \\d+ (?:more|common frames omitted)|[\\t ]*nested exception is:|[\\t ]+--- End of inner exception stack trace ---$)',
    mode: 'continue_through',
  },
  go: {
    start_pattern: '\\bpanic: |http: panic serving',
    condition_pattern: '^(?:$|\\s|goroutine \\d+ \\[[^\\]]+\\]:$|\\[signal |(?:[^\\s.:]+\\.)*[^\\s.():]+\\(|created by )',
    mode: 'continue_through',
  },
  python: {
    start_pattern: '^Traceback \\(most recent call last\\):$',
    condition_pattern: '^(?:[^\\s.():]+\\.)*[^\\s.():]+:',
    mode: 'halt_with',
  },
};

/** The configuration file's text (YAML). */
export function vectorFile(model: ShipperModel): string {
  return toYaml(renderVector(model) as PlainData);
}

/** The configuration as an object, ready for `toYaml`. */
export function renderVector(model: ShipperModel): Record<string, unknown> {
  const secret: Record<string, unknown> = {};
  if (model.podItems.length > 0) {
    secret[POD_INFO] = { type: 'directory', path: PATHS.podInfo, remove_trailing_whitespace: true };
  }
  if (model.credentials.length > 0) {
    // A Secret value created from a file often ends with a newline; trim it.
    secret[CREDENTIALS] = { type: 'directory', path: PATHS.credentials, remove_trailing_whitespace: true };
  }

  let multiline: Record<string, unknown> | undefined;
  if (model.multiline?.kind === 'builtin') {
    multiline = { ...MULTILINE[model.multiline.language], timeout_ms: 1000 };
  } else if (model.multiline?.kind === 'start') {
    // A record starts at a matching line and ends before the next one.
    multiline = { start_pattern: model.multiline.pattern, condition_pattern: model.multiline.pattern, mode: 'halt_before', timeout_ms: 1000 };
  }

  const config: Record<string, unknown> = {
    // Checkpoints and disk buffers: the state emptyDir outlives a restart of the container.
    data_dir: PATHS.state,
    // The API serves GET /health (200 while running, 503 once shutting down) on the port the
    // probes use; it must listen on the pod IP for the kubelet to reach it.
    api: { enabled: true, address: `0.0.0.0:${model.healthPort}` },
    ...(Object.keys(secret).length > 0 ? { secret } : {}),
    sources: {
      // docs reference/configuration/sources/file
      [SOURCE]: {
        type: 'file',
        include: [model.pathGlob],
        read_from: 'beginning',
        // Lines up to 256KiB, as for Fluent Bit (default 100KiB); longer ones are discarded.
        max_line_bytes: 262144,
        ...(multiline ? { multiline } : {}),
      },
    },
    transforms: {
      // docs reference/configuration/transforms/remap
      [TRANSFORM]: { type: 'remap', inputs: [SOURCE], source: vrl(model) },
    },
    sinks: Object.fromEntries(model.outputs.map((o) => [o.id, sink(model, o)])),
  };
  return config;
}

/** The VRL program: trim a joined record, parse the line, then add the fields. */
function vrl(model: ShipperModel): string {
  const lines: string[] = [];
  const multiline = model.multiline !== undefined;
  if (multiline) {
    // The file source joins a record's lines with "\n" and adds none at the end (src/line_agg.rs,
    // Aggregate::merge), but a record that blank lines continued ends in line breaks; Fluent Bit's
    // always ends in one (see fluent-bit.ts). Both engines cut every trailing line break, so the
    // same lines make the same record. `\z` is the end of the text in Rust's regex crate.
    lines.push(`.message = replace(string!(.message), r'${TRIM_PATTERN}', "")`);
  }
  if (model.parser.kind === 'json') {
    lines.push(
      'parsed, err = parse_json(string!(.message))',
      'if err == null && is_object(parsed) {',
      '  del(.message)',
      '  . = merge(., object!(parsed))',
      '}',
    );
  } else if (model.parser.kind === 'regex') {
    lines.push(
      // A joined record spans lines: in Rust's regex crate `.` stops at "\n" unless `s` is on, and
      // `^`/`$` match only at the ends of the text unless `m` is on (docs.rs/regex, "Grouping and
      // flags"). `(?sm)` gives what Fluent Bit's Onigmo does with `(?m)` in Ruby syntax, whose
      // `^`/`$` always match at each line (see fluent-bit.ts), so both engines agree.
      `parsed, err = parse_regex(string!(.message), r'${multiline ? '(?sm)' : ''}${model.parser.pattern}')`,
      'if err == null {',
      '  del(.message)',
      '  . = merge(., parsed)',
      '}',
    );
  }
  for (const [name, value] of model.fields) {
    lines.push(`.${name} = ${vrlString(value)}`);
  }
  if (lines.length === 0) lines.push('# records pass unchanged');
  return `${lines.join('\n')}\n`;
}

function sink(model: ShipperModel, o: OutputModel): Record<string, unknown> {
  const common: Record<string, unknown> = {
    inputs: [TRANSFORM],
    // The file source moves a checkpoint only once every sink has acknowledged the line.
    acknowledgements: { enabled: true },
    buffer: model.buffer.kind === 'filesystem'
      ? { type: 'disk', max_size: model.buffer.maxBytes, when_full: 'block' }
      : { type: 'memory', ...(model.buffer.maxBytes !== undefined ? { max_size: model.buffer.maxBytes } : { max_events: 500 }), when_full: 'block' },
  };
  switch (o.kind) {
    case 'stdout':
      // docs reference/configuration/sinks/console
      return { type: 'console', ...common, target: 'stdout', encoding: { codec: 'json' } };
    case 'loki':
      // docs reference/configuration/sinks/loki
      return {
        type: 'loki',
        ...common,
        endpoint: o.endpoint.origin,
        path: `${o.endpoint.path}/loki/api/v1/push`,
        encoding: { codec: 'json' },
        labels: Object.fromEntries(o.labels.map(([k, v]) => [k, ref(v)])),
        ...(o.tenant !== undefined ? { tenant_id: o.tenant } : {}),
        ...auth(o.auth),
        ...tls(o.endpoint),
      };
    case 'elasticsearch':
      // docs reference/configuration/sinks/elasticsearch; v8 bulk API also for OpenSearch.
      return {
        type: 'elasticsearch',
        ...common,
        endpoints: [`${o.endpoint.origin}${o.endpoint.path}`],
        api_version: 'v8',
        mode: 'bulk',
        bulk: { index: o.index },
        ...auth(o.auth),
        ...tls(o.endpoint),
      };
    case 'http':
      // docs reference/configuration/sinks/http: one JSON record a line.
      return {
        type: 'http',
        ...common,
        uri: `${o.endpoint.origin}${o.endpoint.path || '/'}${o.endpoint.query}`,
        method: 'post',
        encoding: { codec: 'json' },
        framing: { method: 'newline_delimited' },
        ...(o.headers.length > 0 ? { request: { headers: Object.fromEntries(o.headers.map(([k, v]) => [k, ref(v)])) } } : {}),
        ...auth(o.auth),
        ...tls(o.endpoint),
      };
    case 's3':
      // docs reference/configuration/sinks/aws_s3
      return {
        type: 'aws_s3',
        ...common,
        bucket: o.bucket,
        region: o.region,
        key_prefix: `${o.keyPrefix}%Y/%m/%d/`,
        compression: 'gzip',
        encoding: { codec: 'json' },
        framing: { method: 'newline_delimited' },
        ...(o.endpoint ? { endpoint: `${o.endpoint.origin}${o.endpoint.path}` } : {}),
        ...(o.credentials ? { auth: { access_key_id: ref(o.credentials.accessKeyId), secret_access_key: ref(o.credentials.secretAccessKey) } } : {}),
        ...(o.endpoint ? tls(o.endpoint) : {}),
      };
    case 'raw':
      return { ...common, ...o.block, inputs: [TRANSFORM] };
  }
}

function auth(a: Auth | undefined): Record<string, unknown> {
  if (a === undefined) return {};
  if (a.kind === 'bearer') return { auth: { strategy: 'bearer', token: ref(a.token) } };
  return { auth: { strategy: 'basic', user: ref(a.user), password: ref(a.password) } };
}

function tls(e: Endpoint): Record<string, unknown> {
  if (e.scheme !== 'https') return {};
  return { tls: { verify_certificate: true, verify_hostname: true, ...(e.caFile ? { ca_file: e.caFile } : {}) } };
}
