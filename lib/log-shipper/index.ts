import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { LogShipperEngine } from './engine';
import { LogShipperOptions } from './options';
import { planLogShipper } from './plan';
import { attachProgram, checkProgram } from '../engine/attach';
import { checkOptions } from '../engine/input';
import { kplus, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { PodRegistry } from '../engine/registry';
import { SidecarMode } from '../engine/sidecar-mode';

export * from './engine';
export * from './metadata';
export * from './options';
export * from './output';
export * from './parsing';

/**
 * Props of the `LogShipper` construct: the options and the workload whose pods get the shipper.
 */
export interface LogShipperProps extends LogShipperOptions {
  /**
   * The workload: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

/**
 * A log shipper beside the app: the app writes log files into a folder, the shipper tails them
 * and sends the records on.
 *
 * It adds to the pod: an emptyDir at `logPath`, writable in the app containers and read-only in
 * the shipper (with a `sizeLimit`); a second emptyDir for the shipper's own state (file offsets
 * or checkpoints, buffers), which survives a restart of the shipper container; the engine's
 * configuration in a ConfigMap, mounted read-only, with its checksum in a pod-template
 * annotation so that pods roll when it changes; the shipper container itself (a native sidecar
 * by default, restricted security context, small resources), with liveness and readiness
 * probes on a named port that joins the pod's port ledger. Credentials reach it only from
 * Secrets.
 *
 * @see https://kubernetes.io/docs/concepts/cluster-administration/logging/#sidecar-container-with-a-logging-agent
 * @example
 * new LogShipper(chart, 'logs', {
 *   workload: web,
 *   logPath: '/var/log/app',
 *   outputs: [LogOutput.loki({ url: 'http://loki.monitoring:3100' })],
 * });
 */
export class LogShipper extends Construct {
  /** The shipper's container; adjust it as any `kplus.Container`. */
  public readonly container: kplus.Container;

  /** How the shipper joined the pod: native sidecar or classic container. */
  public readonly mode: SidecarMode;

  /** The engine that ships. */
  public readonly engine: LogShipperEngine;

  /** The ConfigMap holding the engine's configuration file. */
  public readonly configMap: kplus.ConfigMap;

  /** The configuration file, as written into the ConfigMap. */
  public readonly config: string;

  /** Where the shipper reads its configuration file. */
  public readonly configFile: string;

  /** The emptyDir of the log folder, shared with the app containers. */
  public readonly logVolume: kplus.Volume;

  /** The emptyDir of the shipper's own state. */
  public readonly stateVolume: kplus.Volume;

  /** The folder shipped (normalized `logPath`). */
  public readonly logPath: string;

  /** The port of the shipper's HTTP endpoint (probes, metrics). */
  public readonly healthPort: number;

  public constructor(scope: Construct, id: string, props: LogShipperProps) {
    checkOptions(scope, 'withLogShipper', 'LogShipperProps', props);
    const workload = workloadOrScope(scope, id, props.workload, 'LogShipper');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planLogShipper, registry, props, 'withLogShipper');
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.engine = plan.engine;
    this.logPath = plan.model.logPath;
    this.healthPort = plan.model.healthPort;
    this.config = plan.file.text;
    this.configFile = plan.configFile;
    this.configMap = attached.configMap!;
    this.container = attached.container!;
    this.mode = attached.mode!;
    this.logVolume = attached.sharedVolumes[0].volume;
    this.stateVolume = attached.sharedVolumes[1].volume;
  }
}

/**
 * Ships the log files an app writes into `logPath` with a sidecar: Fluent Bit (default) or
 * Vector, to stdout (default), Loki, Elasticsearch/OpenSearch, any HTTP endpoint, S3, or an
 * output block of your own.
 *
 * @see https://kubernetes.io/docs/concepts/cluster-administration/logging/#sidecar-container-with-a-logging-agent
 * @example
 * const web = new kplus.Deployment(chart, 'web', {
 *   containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }],
 * });
 * withLogShipper(web, {
 *   logPath: '/var/log/app',
 *   outputs: [LogOutput.loki({ url: 'http://loki.monitoring:3100' })],
 * });
 */
export function withLogShipper(workload: kplus.AbstractPod | ApiObject, options: LogShipperOptions): LogShipper {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  return new LogShipper(workload, options?.name ?? 'log-shipper', options);
}
