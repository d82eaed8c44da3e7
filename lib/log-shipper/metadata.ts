/**
 * Values a log record can carry that are only known in the running pod: its name, namespace and
 * UID, one of its labels, and the app containers that write the log folder.
 */
import { keyedByValue } from '../engine/options-key';
import { describeValue, quote } from '../engine/validation/syntax';

/** What a `LogMetadata` reads, for the engine renderers. */
export type LogMetadataSource =
  | { readonly kind: 'field'; readonly id: string; readonly fieldPath: string; readonly labelKey?: string }
  | { readonly kind: 'containers' };

/**
 * A value from the pod itself, for `fields` of `withLogShipper` and `labels` of
 * `LogOutput.loki`.
 *
 * The pod's name, namespace, UID and labels come from the Kubernetes downward API: Fluent Bit
 * reads them from environment variables (`fieldRef`), Vector from a `downwardAPI` volume through
 * its `directory` secrets backend (Vector 0.57+ no longer interpolates environment variables in
 * its configuration by default). `CONTAINER` is known at synthesis: the names of the app
 * containers that write the log folder, joined with `+` when there are several.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/pods/downward-api/
 * @example
 * withLogShipper(web, {
 *   logPath: '/var/log/app',
 *   fields: { pod: LogMetadata.POD_NAME, team: 'payments', app: LogMetadata.podLabel('app.kubernetes.io/name') },
 * });
 */
export class LogMetadata {
  /** The pod's name (`metadata.name`). */
  public static readonly POD_NAME = new LogMetadata({ kind: 'field', id: 'pod_name', fieldPath: 'metadata.name' }, 'pod name');

  /** The pod's namespace (`metadata.namespace`). */
  public static readonly NAMESPACE = new LogMetadata({ kind: 'field', id: 'namespace', fieldPath: 'metadata.namespace' }, 'namespace');

  /** The pod's UID (`metadata.uid`). */
  public static readonly POD_UID = new LogMetadata({ kind: 'field', id: 'pod_uid', fieldPath: 'metadata.uid' }, 'pod UID');

  /**
   * The app containers that write the log folder, by name (`app`, or `app+worker` for two).
   * The shipper cannot tell which of several writers wrote a line; give each its own
   * `logPath` when that matters.
   */
  public static readonly CONTAINER = new LogMetadata({ kind: 'containers' }, 'container');

  /**
   * The value of one of the pod's labels (`metadata.labels['<key>']`). The label must be on the
   * pod template when the app is synthesized: a missing one is reported at synthesis.
   */
  public static podLabel(key: string): LogMetadata {
    // A JavaScript caller's key is text before anything reads it (the label's rules are checked with the pod).
    if (typeof key !== 'string') throw new Error(`LogMetadata.podLabel: the label key must be a string (got ${describeValue(key)})`);
    const id = `label_${key.replace(/[^A-Za-z0-9_]/g, '_')}`;
    return new LogMetadata({ kind: 'field', id, fieldPath: `metadata.labels['${key}']`, labelKey: key }, `pod label ${quote(key)}`);
  }

  private constructor(
    /** @internal */
    public readonly source: LogMetadataSource,
    /** How messages name the value. */
    public readonly description: string,
  ) {}
}

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(LogMetadata);
