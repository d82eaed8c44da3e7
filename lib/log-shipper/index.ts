import { Duration, Size } from 'cdk8s';
import { Construct, IValidation } from 'constructs';
import { attachSidecar } from '../attach-sidecar';
import { BoundPort } from '../bound-port';
import { ConfigFile, fileData, renderConfigFile } from '../config-file';
import { sidecarResources } from '../defaults';
import { imageReference } from '../images';
import { kplus, mountAt, TCP, volumeFromSource, Workload, workloadLabel, workloadOrScope } from '../kplus';
import { LastCall } from '../last-call';
import { PodRegistry } from '../pod-registry';
import { SidecarMode } from '../sidecar-mode';
import { LogShipperEngine } from './engine';
import { fluentBitFile } from './fluent-bit';
import { buildModel, PATHS, ShipperModel, stateSizeMebibytes } from './model';
import { LogShipperOptions } from './options';
import { vectorFile } from './vector';
import { dnsLabelProblem } from '../validation/syntax';

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
   * The workload: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod.
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod;
}

/** Default resources per engine (request/limit), replaced one by one by `resources`. */
const RESOURCES: Record<LogShipperEngine['id'], kplus.ContainerResources> = {
  // Fluent Bit idles at ~10-20MiB RSS; with at most 16 chunks (~2MB each) up in memory
  // (storage.max_chunks_up in fluent-bit.ts) and 256KiB line buffers, 128MiB is ample.
  'fluent-bit': {
    cpu: { request: kplus.Cpu.millis(25), limit: kplus.Cpu.millis(500) },
    memory: { request: Size.mebibytes(48), limit: Size.mebibytes(128) },
  },
  // Vector idles at ~30-60MiB; memory buffers hold 500 events per sink by default.
  'vector': {
    cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
    memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
  },
};

/** What the shipper program is given: its checked model, configuration file and container settings. */
interface ShipperProgram {
  readonly model: ShipperModel;
  readonly file: ConfigFile;
  readonly configFile: string;
  readonly image: string;
  readonly command: string[];
  readonly args: string[];
  readonly ports: kplus.ContainerPort[];
  readonly boundPorts: BoundPort[];
  readonly liveness: kplus.Probe;
  readonly readiness: kplus.Probe;
  readonly resources: kplus.ContainerResources;
  readonly securityContext: kplus.ContainerSecurityContextProps;
  readonly purpose: string;
  readonly stateSizeLimit: Size;
}

/** The program of the last options, for the next workload given the same (lib/last-call.ts). */
const PROGRAMS = new LastCall<ShipperProgram>();

/**
 * Checks the options and works out the program: none of it reads the pod, and all of it is
 * shared by the workloads given the same options (probes, ports and arguments are never changed
 * after they are given to a container; the environment and the mounts are, and are not here).
 */
function shipperProgram(where: string, props: LogShipperProps, engine: LogShipperEngine, writers: readonly string[]): ShipperProgram {
  const model = buildModel(where, props, { engine, writers });
  // Without credentials, CAs and raw blocks, the model is plain data that buildModel made.
  const plain = model.credentials.length === 0 && model.cas.length === 0 && !model.outputs.some((o) => o.kind === 'raw');
  const configFile = `${PATHS.config}/${engine.configFileName}`;
  const probePort = model.healthPort;
  // Probes tell whether the shipper runs, never whether an output is reachable: a native
  // sidecar's readiness counts toward the pod's, so a log backend outage must not take the
  // app out of its Service, nor restart the shipper in a loop.
  const probePath = engine.id === 'fluent-bit' ? '/api/v1/uptime' : '/health';
  const probe = (failureThreshold: number) => kplus.Probe.fromHttpGet(probePath, {
    port: probePort,
    initialDelaySeconds: Duration.seconds(engine.id === 'vector' ? 5 : 2),
    periodSeconds: Duration.seconds(10),
    timeoutSeconds: Duration.seconds(3),
    failureThreshold,
  });
  return {
    model,
    file: renderConfigFile(engine.id === 'fluent-bit' ? fluentBitFile : vectorFile, model, plain),
    configFile,
    image: props.image ?? imageReference(engine.image),
    command: engine.id === 'fluent-bit' ? ['/fluent-bit/bin/fluent-bit'] : ['/usr/bin/vector'],
    args: engine.id === 'fluent-bit' ? ['-c', configFile] : ['--config', configFile],
    ports: [{ number: probePort, name: `logs-${probePort}`, protocol: TCP }],
    boundPorts: [{ number: probePort, purpose: engine.id === 'fluent-bit' ? 'Fluent Bit HTTP server' : 'Vector API' }],
    liveness: probe(6),
    readiness: probe(3),
    resources: sidecarResources(props.resources, RESOURCES[engine.id]),
    securityContext: { user: engine.image.user, group: engine.image.group },
    purpose: `withLogShipper (${engine.displayName})`,
    stateSizeLimit: Size.mebibytes(stateSizeMebibytes(model)),
  };
}

/** The registry slot of the shippers of a workload, by folder: two shippers on one folder are refused. */
const SHIPPERS = Symbol('log shippers');

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
    super(scope, id);
    try {
      const workload = workloadOrScope(scope, id, props.workload, 'LogShipper');
      const engine = props.engine ?? LogShipperEngine.FLUENT_BIT;
      const name = props.name ?? 'log-shipper';
      const registry = PodRegistry.of(workload);
      const where = registry.prefix('withLogShipper');
      const fail = (problem: string): never => {
        throw new Error(`${where}: ${problem}`);
      };
      if (!(engine instanceof LogShipperEngine)) fail('engine must be LogShipperEngine.FLUENT_BIT or LogShipperEngine.VECTOR');
      const nameProblem = dnsLabelProblem(name);
      if (nameProblem) fail(`name "${name}" ${nameProblem}`);
      if (name.length > 48) fail(`name "${name}" is ${name.length} characters; at most 48, since the shipper's volumes are named after it`);

      // Which app containers write the folder, checked before anything is built.
      let writerContainers: kplus.Container[];
      if (props.appContainers) {
        writerContainers = props.appContainers.map((writer) => registry.containerNamed(writer) ?? fail(
          `appContainers names "${writer}", but the pod has no such container (it has ${registry.describeContainerNames()}); `
          + 'add the container before attaching the log shipper'));
      } else {
        writerContainers = registry.appContainers();
      }
      const writers = writerContainers.map((c) => c.name);
      if (writers.length === 0) {
        fail(props.appContainers
          ? 'appContainers is empty; name the containers that write the log files'
          : 'the pod has no app container yet; add the app containers before attaching the log shipper');
      }

      // The program is a function of the options, the engine and the writers' names alone.
      const program = PROGRAMS.get(props, [engine, writers], () => shipperProgram(String(where), props, engine, writers));
      const model = program.model;
      this.engine = engine;
      this.logPath = model.logPath;
      this.healthPort = model.healthPort;

      // One shipper a folder; the app must not mount anything else there.
      const byPath = registry.slot(SHIPPERS, () => new Map<string, string>());
      const holder = byPath.get(model.logPath);
      if (holder !== undefined) {
        fail(`two log shippers on "${model.logPath}": container "${holder}" already ships that folder; `
          + 'send both kinds of output from the one shipper (outputs: [...]), or give the second shipper another logPath');
      }
      const logVolumeName = `${name}-logs`;
      for (const container of writerContainers) {
        const taken = mountAt(container, model.logPath);
        if (taken) {
          fail(`logPath "${model.logPath}": container "${container.name}" already mounts volume "${taken.volume.name}" there; `
            + 'the shipper brings its own emptyDir for the log folder: point the app\'s logs at a folder it does not mount yet');
        }
      }

      // Configuration.
      const file = program.file;
      this.config = file.text;
      this.configFile = program.configFile;
      this.configMap = new kplus.ConfigMap(this, 'Config', { data: fileData(engine.configFileName, this.config) });
      const configVolume = kplus.Volume.fromConfigMap(this, 'ConfigVolume', this.configMap, { name: `${name}-config` });

      const mounts: kplus.VolumeMount[] = [{ path: PATHS.config, volume: configVolume, readOnly: true }];
      model.cas.forEach((ca, i) => {
        const volumeName = `${name}-ca-${i}`;
        const source = ca.ca.source;
        const volume = source.kind === 'configMap'
          ? kplus.Volume.fromConfigMap(this, `CaVolume${i}`, source.configMap, { name: volumeName, items: { [source.key]: { path: 'ca.crt' } } })
          : kplus.Volume.fromSecret(this, `CaVolume${i}`, source.secret, { name: volumeName, items: { [source.key]: { path: 'ca.crt' } } });
        mounts.push({ path: ca.dir, volume, readOnly: true });
      });

      const env: Record<string, kplus.EnvValue> = {};
      if (engine.id === 'fluent-bit') {
        // Fluent Bit substitutes ${VAR} in its configuration: the pod's values and the
        // credentials come in as environment variables, from the downward API and from Secrets.
        for (const item of model.podItems) {
          env[item.envName] = item.labelKey !== undefined
            ? kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: item.labelKey })
            : kplus.EnvValue.fromFieldRef(item.fieldPath as kplus.EnvFieldPaths);
        }
        for (const item of model.credentials) {
          env[item.envName] = kplus.EnvValue.fromSecretValue(item.value);
        }
      } else {
        // Vector reads both through its `directory` secrets backend, from files.
        if (model.podItems.length > 0) {
          const podInfo = volumeFromSource(this, 'PodInfoVolume', `${name}-pod-info`, {
            downwardApi: {
              items: model.podItems.map((item) => ({ path: item.id, fieldRef: { fieldPath: item.fieldPath } })),
            },
          });
          mounts.push({ path: PATHS.podInfo, volume: podInfo, readOnly: true });
        }
        if (model.credentials.length > 0) {
          const credentials = volumeFromSource(this, 'CredentialsVolume', `${name}-credentials`, {
            projected: {
              sources: model.credentials.map((item) => ({
                secret: { name: item.value.secret.name, items: [{ key: item.value.key, path: item.id }] },
              })),
            },
          });
          mounts.push({ path: PATHS.credentials, volume: credentials, readOnly: true });
        }
      }

      const sidecar = attachSidecar(workload, {
        name,
        image: program.image,
        command: program.command,
        args: program.args,
        ports: program.ports,
        boundPorts: program.boundPorts,
        envVariables: env,
        volumeMounts: mounts,
        liveness: program.liveness,
        readiness: program.readiness,
        resources: program.resources,
        securityContext: program.securityContext,
        mode: props.mode,
        purpose: program.purpose,
        sharedVolumes: [
          {
            name: logVolumeName,
            path: model.logPath,
            readOnly: true,
            appPath: model.logPath,
            appReadOnly: false,
            appContainers: [...writers],
            sizeLimit: props.sizeLimit ?? Size.gibibytes(1),
          },
          {
            name: `${name}-state`,
            path: PATHS.state,
            appContainers: [],
            sizeLimit: program.stateSizeLimit,
          },
        ],
      });
      registry.hintPort(name, model.healthPort, TCP, 'pass healthPort to withLogShipper');
      byPath.set(model.logPath, name);

      this.container = sidecar.container;
      this.mode = sidecar.mode;
      this.logVolume = sidecar.sharedVolumes[0].volume;
      this.stateVolume = sidecar.sharedVolumes[1].volume;

      // The engines read their configuration once: roll the pods when it changes.
      workload.podMetadata.addAnnotation(`checksum/${name}`, file.sha256);

      const labelKeys: string[] = [];
      for (const item of model.podItems) if (item.labelKey !== undefined) labelKeys.push(item.labelKey);
      if (labelKeys.length > 0) {
        // Registered outside this constructor's scope, so it keeps the label keys alive, not the model.
        this.node.addValidation(podLabelCheck(workload, labelKeys));
      }
    } catch (e) {
      // Refused at the call: leave no half-built construct behind (the pod itself is only
      // touched once every check passed, by attachSidecar, which checks before it adds).
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }
}

/** The pod labels that fields read must exist by synthesis (they may be added after the call). */
function podLabelCheck(workload: Workload, labelKeys: string[]): IValidation {
  return {
    validate: () => labelKeys
      .filter((key) => workload.podMetadata.getLabel(key) === undefined)
      .map((key) => `${workloadLabel(workload)}, withLogShipper: a field or Loki label reads the pod label "${key}", `
        + 'which the pod template does not have; add it (workload.podMetadata.addLabel) or drop the LogMetadata.podLabel'),
  };
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
export function withLogShipper(workload: kplus.AbstractPod, options: LogShipperOptions): LogShipper {
  const base = `log-shipper-${options?.name ?? 'log-shipper'}`;
  let id = base;
  for (let n = 2; workload.node.tryFindChild(id) !== undefined; n++) id = `${base}-${n}`;
  // The workload is the scope: no copy of the options is needed to name it.
  return new LogShipper(workload, id, options);
}
