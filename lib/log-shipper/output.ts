import { LogMetadata } from './metadata';
import { checkFactoryOptions } from '../engine/input';
import { kplus } from '../engine/kplus';
import { keyedByValue } from '../engine/options-key';
import { TlsCa } from '../engine/tls-ca';

export { TlsCa } from '../engine/tls-ca';

/** Options of `LogOutput.loki`. */
export interface LokiOutputOptions {
  /**
   * Loki's base URL, `http` or `https`, without the push path: `http://loki.monitoring:3100`, or
   * `https://logs.example.com/loki-gateway` behind a path prefix. The push path
   * `/loki/api/v1/push` is appended. No credentials in the URL: they would end up in a ConfigMap.
   * @see https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs
   */
  readonly url: string;

  /**
   * Stream labels: a fixed value, or a value of the pod. Names follow Prometheus label names
   * (`[a-zA-Z_][a-zA-Z0-9_]*`); fixed values may hold letters, digits and `_ . : / @ + -`.
   * Keep them few and low-cardinality.
   * @default { namespace: LogMetadata.NAMESPACE, pod: LogMetadata.POD_NAME, container: LogMetadata.CONTAINER }
   */
  readonly labels?: Record<string, string | LogMetadata>;

  /**
   * The tenant (`X-Scope-OrgID`) of a multi-tenant Loki.
   * @default - none: single-tenant Loki
   */
  readonly tenant?: string;

  /**
   * Basic-auth user: the name as it is (a user name is not a secret), or from a Secret.
   * @default - no basic auth
   */
  readonly username?: string | kplus.SecretValue;

  /**
   * Basic-auth password, from a Secret. Give it with `username`.
   * @default - no basic auth
   */
  readonly password?: kplus.SecretValue;

  /**
   * Bearer token, from a Secret. Not with `username`/`password`.
   * @default - none
   */
  readonly bearerToken?: kplus.SecretValue;

  /**
   * A CA to trust for an `https` URL.
   * @default - the system CAs of the image
   */
  readonly ca?: TlsCa;
}

/** Options of `LogOutput.elasticsearch`. */
export interface ElasticsearchOutputOptions {
  /**
   * The cluster's URL, `http` or `https`, with an optional path prefix:
   * `https://es.logging:9200`. Elasticsearch 8+ and OpenSearch 2+ both work: Fluent Bit sends
   * bulk requests without a document type (`suppress_type_name`), Vector speaks the v8 bulk API
   * (`api_version: v8`, which OpenSearch accepts; Vector's version detection mistakes OpenSearch,
   * vectordotdev/vector#17690).
   */
  readonly url: string;

  /**
   * The index to write to (lowercase; no `\ / * ? " < > | , #` or space, not starting with `-`, `_`, `+`).
   * @default 'logs'
   */
  readonly index?: string;

  /**
   * Basic-auth user: the name as it is (a user name is not a secret), or from a Secret.
   * @default - no basic auth
   */
  readonly username?: string | kplus.SecretValue;

  /**
   * Basic-auth password, from a Secret. Give it with `username`.
   * @default - no basic auth
   */
  readonly password?: kplus.SecretValue;

  /**
   * A CA to trust for an `https` URL.
   * @default - the system CAs of the image
   */
  readonly ca?: TlsCa;
}

/** Options of `LogOutput.http`. */
export interface HttpOutputOptions {
  /**
   * Where to POST the records, `http` or `https`, path and query included. The body is
   * newline-delimited JSON, one record a line.
   */
  readonly url: string;

  /**
   * Extra request headers: a fixed value, or a value from a Secret (an API key).
   * @default - none
   */
  readonly headers?: Record<string, string | kplus.SecretValue>;

  /**
   * Basic-auth user: the name as it is (a user name is not a secret), or from a Secret.
   * @default - no basic auth
   */
  readonly username?: string | kplus.SecretValue;

  /**
   * Basic-auth password, from a Secret. Give it with `username`.
   * @default - no basic auth
   */
  readonly password?: kplus.SecretValue;

  /**
   * Bearer token, from a Secret, sent as `Authorization: Bearer <token>`.
   * @default - none
   */
  readonly bearerToken?: kplus.SecretValue;

  /**
   * A CA to trust for an `https` URL.
   * @default - the system CAs of the image
   */
  readonly ca?: TlsCa;
}

/**
 * Options of `LogOutput.s3`. How records are buffered and retried, and what happens after the
 * last retry, is described on `LogOutput.s3`.
 */
export interface S3OutputOptions {
  /** The bucket name. */
  readonly bucket: string;

  /** The bucket's AWS region, for example `eu-west-1`. */
  readonly region: string;

  /**
   * The object key prefix; objects are written under `<prefix><yyyy>/<mm>/<dd>/`, gzip-compressed.
   * @default 'logs/'
   */
  readonly keyPrefix?: string;

  /**
   * The endpoint of an S3-compatible store (MinIO, Ceph), `http` or `https`.
   * @default - AWS S3 of the region
   */
  readonly endpoint?: string;

  /**
   * Access key ID, from a Secret. Give it with `secretAccessKey`. Without both, the default
   * AWS credential chain applies: IRSA / EKS Pod Identity (web identity token), then the node's
   * instance profile.
   * @default - the default credential chain
   */
  readonly accessKeyId?: kplus.SecretValue;

  /**
   * Secret access key, from a Secret. Give it with `accessKeyId`.
   * @default - the default credential chain
   */
  readonly secretAccessKey?: kplus.SecretValue;

  /**
   * A CA to trust for an `https` endpoint.
   * @default - the system CAs of the image
   */
  readonly ca?: TlsCa;
}

/**
 * Options of `LogOutput.raw`: an output block written by you, for the engine you use.
 */
export interface RawOutputOptions {
  /**
   * A Fluent Bit output (an item of `pipeline.outputs`), `name` included. `match` defaults to
   * every record.
   * @see https://docs.fluentbit.io/manual/data-pipeline/outputs
   * @default - none: the output cannot be used with Fluent Bit
   */
  readonly fluentBit?: Record<string, unknown>;

  /**
   * A Vector sink, `type` included; `inputs` is set to the parsed records.
   * @see https://vector.dev/docs/reference/configuration/sinks/
   * @default - none: the output cannot be used with Vector
   */
  readonly vector?: Record<string, unknown>;

  /**
   * Credentials the block refers to, by a name of your choice (`[A-Z][A-Z0-9_]*`): write
   * `${NAME}` in a Fluent Bit block (an environment variable from the Secret), and
   * `SECRET[credentials.NAME]` in a Vector block (a file from the Secret, read by Vector's
   * `directory` secrets backend).
   * @default - none
   */
  readonly secrets?: Record<string, kplus.SecretValue>;
}

/** @internal */
export type LogOutputSpec =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'loki'; readonly options: LokiOutputOptions }
  | { readonly kind: 'elasticsearch'; readonly options: ElasticsearchOutputOptions }
  | { readonly kind: 'http'; readonly options: HttpOutputOptions }
  | { readonly kind: 's3'; readonly options: S3OutputOptions }
  | { readonly kind: 'raw'; readonly options: RawOutputOptions };

/**
 * Where the shipper sends the records. Pass several to `outputs` to send every record to each.
 *
 * Credentials (passwords, tokens, keys) are only ever `kplus.SecretValue`s: they reach the
 * shipper as environment variables (Fluent Bit) or files (Vector) from the Secret, never through
 * the ConfigMap. A user name may be a plain string.
 */
export class LogOutput {
  /**
   * The shipper's own standard output, one JSON record a line: the Kubernetes "streaming
   * sidecar" pattern. The node's log collector (or `kubectl logs <pod> -c log-shipper`) picks
   * the lines up.
   * @see https://kubernetes.io/docs/concepts/cluster-administration/logging/#streaming-sidecar-container
   */
  public static stdout(): LogOutput {
    return new LogOutput({ kind: 'stdout' });
  }

  /**
   * Grafana Loki, by its push API.
   * @see https://docs.fluentbit.io/manual/data-pipeline/outputs/loki
   * @see https://vector.dev/docs/reference/configuration/sinks/loki/
   */
  public static loki(options: LokiOutputOptions): LogOutput {
    checkFactoryOptions('LogOutput.loki', 'LokiOutputOptions', options);
    return new LogOutput({ kind: 'loki', options });
  }

  /**
   * Elasticsearch or OpenSearch, by the bulk API.
   * @see https://docs.fluentbit.io/manual/data-pipeline/outputs/elasticsearch
   * @see https://vector.dev/docs/reference/configuration/sinks/elasticsearch/
   */
  public static elasticsearch(options: ElasticsearchOutputOptions): LogOutput {
    checkFactoryOptions('LogOutput.elasticsearch', 'ElasticsearchOutputOptions', options);
    return new LogOutput({ kind: 'elasticsearch', options });
  }

  /**
   * Any HTTP endpoint that takes newline-delimited JSON by POST.
   * @see https://docs.fluentbit.io/manual/data-pipeline/outputs/http
   * @see https://vector.dev/docs/reference/configuration/sinks/http/
   */
  public static http(options: HttpOutputOptions): LogOutput {
    checkFactoryOptions('LogOutput.http', 'HttpOutputOptions', options);
    return new LogOutput({ kind: 'http', options });
  }

  /**
   * Amazon S3 (or an S3-compatible store): gzip-compressed JSON-lines objects.
   *
   * Buffering and retries differ between the engines:
   *
   * - **Fluent Bit** stages records in the output's own folder on the state volume
   *   (`store_dir`), bounded by the output's share of the `buffer` size
   *   (`store_dir_limit_size`), and uploads a file every minute or each time one reaches
   *   min(16MiB, a quarter of the share). A failed upload is tried again up to 300 times
   *   (`retry_limit`, waiting 2s, 4s, 6s… between tries: about a day); the s3 output would
   *   read `no_limits` as 5. **After the last retry** the file is set aside: it stays in the
   *   store, still counting toward its bound, and is not tried again until the shipper container
   *   restarts, when the output uploads what its store holds. While the store is full, new
   *   records wait in Fluent Bit's own buffer, retried up to 300 times with growing waits, and
   *   are dropped after the last.
   * - **Vector** retries a failed request without limit (the sink's default `retry_attempts`),
   *   except errors that retrying cannot fix (such as access denied); meanwhile its buffer fills
   *   and then stops the reading of the files, whose checkpoints wait for the upload.
   *
   * @see https://docs.fluentbit.io/manual/data-pipeline/outputs/s3
   * @see https://vector.dev/docs/reference/configuration/sinks/aws_s3/
   */
  public static s3(options: S3OutputOptions): LogOutput {
    checkFactoryOptions('LogOutput.s3', 'S3OutputOptions', options);
    return new LogOutput({ kind: 's3', options });
  }

  /**
   * The escape hatch: an output block you write for the engine's own configuration format,
   * shipped as given. Give `fluentBit`, `vector` or both; credentials through `secrets`.
   *
   * @example
   * LogOutput.raw({
   *   fluentBit: { name: 'datadog', host: 'http-intake.logs.datadoghq.eu', tls: 'on', apikey: '${DD_API_KEY}' },
   *   vector: { type: 'datadog_logs', default_api_key: 'SECRET[credentials.DD_API_KEY]', site: 'datadoghq.eu' },
   *   secrets: { DD_API_KEY: { secret: ddSecret, key: 'api-key' } },
   * })
   */
  public static raw(options: RawOutputOptions): LogOutput {
    checkFactoryOptions('LogOutput.raw', 'RawOutputOptions', options);
    return new LogOutput({ kind: 'raw', options });
  }

  private constructor(
    /** @internal */
    public readonly spec: LogOutputSpec,
  ) {}

  /** The kind of output: `stdout`, `loki`, `elasticsearch`, `http`, `s3` or `raw`. */
  public get kind(): string {
    return this.spec.kind;
  }
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(LogOutput);
