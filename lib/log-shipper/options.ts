import { Size } from 'cdk8s';
import { LogBuffer, LogShipperEngine } from './engine';
import { LogMetadata } from './metadata';
import { LogOutput } from './output';
import { LogMultiline, LogParser } from './parsing';
import { kplus } from '../engine/kplus';
import { SidecarMode } from '../engine/sidecar-mode';

/**
 * How `withLogShipper` ships the log files an app writes into a folder.
 */
export interface LogShipperOptions {
  /**
   * The folder the app writes its log files into, absolute. It becomes an emptyDir shared by
   * the app containers (writable) and the shipper (read-only); the app must not already mount
   * something there.
   */
  readonly logPath: string;

  /**
   * Which files of `logPath` to ship: a glob relative to it (`*`, `?`, `[...]`, and `/` for
   * subfolders such as `*\/*.log`; no `**`, braces or commas, which the engines read
   * differently). Rotated files keep being read until drained if they still match.
   * @default '*.log'
   */
  readonly include?: string;

  /**
   * The app containers (or init containers) that write into `logPath`, by name; the folder is
   * mounted into each.
   * @default - every app container of the pod at the time of the call
   */
  readonly appContainers?: string[];

  /**
   * The emptyDir `sizeLimit` of the log folder. An emptyDir without a limit can fill the node's
   * disk; past the limit the kubelet evicts the pod. The app must rotate its files (and delete
   * old ones) so that they fit; the shipper never deletes them.
   * @default Size.gibibytes(1)
   * @see https://kubernetes.io/docs/concepts/storage/volumes/#emptydir
   */
  readonly sizeLimit?: Size;

  /**
   * Where the records go; each record goes to every output.
   * @default [LogOutput.stdout()]
   */
  readonly outputs?: LogOutput[];

  /**
   * The program that ships.
   * @default LogShipperEngine.FLUENT_BIT
   */
  readonly engine?: LogShipperEngine;

  /**
   * How each line (after multiline joining) becomes a record.
   * @default LogParser.none()
   */
  readonly parser?: LogParser;

  /**
   * How the lines of one record (a stack trace) are joined before parsing.
   * @default - none: one line, one record
   */
  readonly multiline?: LogMultiline;

  /**
   * Fields added to every record: a fixed value or a value of the pod. Names are
   * `[A-Za-z_][A-Za-z0-9_]*` and not `log`, `message`, `file` or `timestamp`; fixed values may
   * hold letters, digits and `_ . : / @ + -`. Pass `{}` to add none.
   * @default { namespace: LogMetadata.NAMESPACE, pod: LogMetadata.POD_NAME, container: LogMetadata.CONTAINER }
   */
  readonly fields?: Record<string, string | LogMetadata>;

  /**
   * Where records wait while an output is slow or down.
   * @default - Fluent Bit: LogBuffer.filesystem() (128MiB); Vector: LogBuffer.memory() with end-to-end acknowledgements
   */
  readonly buffer?: LogBuffer;

  /**
   * The port of the shipper's HTTP endpoint (Fluent Bit's HTTP server, Vector's API), where the
   * liveness and readiness probes go. Declared as a named containerPort and kept in the pod's
   * port ledger: pass another one when the app uses it.
   * @default - 2020 for Fluent Bit, 8686 for Vector
   */
  readonly healthPort?: number;

  /**
   * The shipper's container name, unique in the pod. A second shipper (for another folder)
   * needs its own name and health port.
   * @default 'log-shipper'
   */
  readonly name?: string;

  /**
   * The image, to pull the engine from a mirror. It must be the same program and version as
   * the pinned one (the configuration is written for it) and run as the same user.
   * @default - the pinned upstream image of the engine (see lib/images.ts)
   */
  readonly image?: string;

  /**
   * CPU and memory, each replacing the default it names.
   * @default - Fluent Bit: 25m/500m CPU, 48Mi/128Mi memory; Vector: 50m/500m CPU, 64Mi/256Mi memory (request/limit)
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * Native sidecar (an init container with `restartPolicy: Always`) or a regular container.
   * Native is what lets a Job complete and starts the shipper before the app.
   * @default - the default of `setDefaultSidecarMode`, else SidecarMode.NATIVE
   */
  readonly mode?: SidecarMode;
}
