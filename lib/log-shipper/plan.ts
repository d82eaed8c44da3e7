/**
 * withLogShipper's plan: the options and the facts of the pod in, the shipper program out
 * (its configuration file, container, volumes and ports), with no construct made. Pure: the
 * construct (index.ts) hands the program to the engine's attach.
 */
import { Duration, Size } from 'cdk8s';
import { LogShipperEngine } from './engine';
import { fluentBitFile } from './fluent-bit';
import { buildModel, PATHS, ShipperModel, stateSizeMebibytes } from './model';
import { LogShipperOptions } from './options';
import { vectorFile } from './vector';
import { ConfigFile, renderConfigFile } from '../engine/config-file';
import { sidecarResources } from '../engine/defaults';
import { imageReference } from '../engine/images';
import { kplus, TCP } from '../engine/kplus';
import { Fail, PodFacts } from '../engine/pod-facts';
import { Program, ProgramVolume } from '../engine/program';
import { caVolume } from '../engine/tls-ca';
import { dnsLabelProblem, quote } from '../engine/validation/syntax';

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

/** The shipper's program, and what the construct shows of it. */
export interface ShipperPlan {
  readonly program: Program;
  readonly engine: LogShipperEngine;
  readonly model: ShipperModel;
  readonly file: ConfigFile;
  /** Where the shipper reads its configuration file. */
  readonly configFile: string;
}

/** Checks the options against the pod and works out the shipper. Throws on input that is wrong. */
export function planLogShipper(pod: PodFacts, props: LogShipperOptions, fail: Fail): ShipperPlan {
  const engine = props.engine ?? LogShipperEngine.FLUENT_BIT;
  if (!(engine instanceof LogShipperEngine)) fail('engine must be LogShipperEngine.FLUENT_BIT or LogShipperEngine.VECTOR');
  const name = props.name ?? 'log-shipper';
  const nameProblem = dnsLabelProblem(name);
  if (nameProblem) fail(`name ${quote(name)} ${nameProblem}`);

  // Which app containers write the folder.
  const writerContainers = props.appContainers
    ? props.appContainers.map((writer) => pod.containerNamed(writer) ?? fail(
      `appContainers names ${quote(writer)}, but the pod has no such container (it has ${pod.describeContainerNames()}); `
      + 'add the container before attaching the log shipper'))
    : pod.appContainers();
  if (writerContainers.length === 0) {
    fail(props.appContainers
      ? 'appContainers is empty; name the containers that write the log files'
      : 'the pod has no app container yet; add the app containers before attaching the log shipper');
  }
  const writers = writerContainers.map((c) => c.name);

  const model = buildModel(fail, props, { engine, writers });
  const resources = sidecarResources(props.resources, RESOURCES[engine.id]);
  checkMemoryBuffer(fail, model, engine, resources);
  const file = renderConfigFile(engine.id === 'fluent-bit' ? fluentBitFile : vectorFile, model);
  const configFile = `${PATHS.config}/${engine.configFileName}`;
  // Probes tell whether the shipper runs, never whether an output is reachable: a native
  // sidecar's readiness counts toward the pod's, so a log backend outage must not take the
  // app out of its Service, nor restart the shipper in a loop.
  const probe = (failureThreshold: number) => kplus.Probe.fromHttpGet(engine.id === 'fluent-bit' ? '/api/v1/uptime' : '/health', {
    port: model.healthPort,
    initialDelaySeconds: Duration.seconds(engine.id === 'vector' ? 5 : 2),
    periodSeconds: Duration.seconds(10),
    timeoutSeconds: Duration.seconds(3),
    failureThreshold,
  });

  const volumes: ProgramVolume[] = model.cas.map((ca, i) => caVolume(ca.ca, ca.dir, i));
  const env: Record<string, kplus.EnvValue> = {};
  if (engine.id === 'fluent-bit') {
    // Fluent Bit substitutes ${VAR} in its configuration: the pod's values and the
    // credentials come in as environment variables, from the downward API and from Secrets.
    for (const item of model.podItems) {
      env[item.envName] = item.labelKey !== undefined
        ? kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_LABEL, { key: item.labelKey })
        : kplus.EnvValue.fromFieldRef(item.fieldPath as kplus.EnvFieldPaths);
    }
    for (const item of model.credentials) env[item.envName] = kplus.EnvValue.fromSecretValue(item.value);
  } else {
    // Vector reads both through its `directory` secrets backend, from files.
    if (model.podItems.length > 0) {
      volumes.push({
        suffix: 'pod-info',
        path: PATHS.podInfo,
        source: { kind: 'raw', source: { downwardApi: { items: model.podItems.map((item) => ({ path: item.id, fieldRef: { fieldPath: item.fieldPath } })) } } },
      });
    }
    if (model.credentials.length > 0) {
      volumes.push({
        suffix: 'credentials',
        path: PATHS.credentials,
        source: {
          kind: 'raw',
          source: {
            projected: {
              sources: model.credentials.map((item) => ({
                secret: { name: item.value.secret.name, items: [{ key: item.value.key, path: item.id }] },
              })),
            },
          },
        },
      });
    }
  }

  const program: Program = {
    where: 'withLogShipper',
    purpose: `withLogShipper (${engine.displayName})`,
    name,
    config: { dir: PATHS.config, files: { [engine.configFileName]: file.text } },
    volumes,
    sidecar: {
      image: props.image ?? imageReference(engine.image),
      command: engine.id === 'fluent-bit' ? ['/fluent-bit/bin/fluent-bit'] : ['/usr/bin/vector'],
      args: engine.id === 'fluent-bit' ? ['-c', configFile] : ['--config', configFile],
      ports: [{ number: model.healthPort, name: `logs-${model.healthPort}`, protocol: TCP }],
      boundPorts: [{ number: model.healthPort, purpose: engine.id === 'fluent-bit' ? 'Fluent Bit HTTP server' : 'Vector API' }],
      envVariables: env,
      liveness: probe(6),
      readiness: probe(3),
      resources,
      securityContext: { user: engine.image.user, group: engine.image.group },
      mode: props.mode,
    },
    sharedVolumes: [
      {
        name: `${name}-logs`,
        path: model.logPath,
        readOnly: true,
        appPath: model.logPath,
        appReadOnly: false,
        appContainers: writers,
        sizeLimit: props.sizeLimit ?? Size.gibibytes(1),
        appPathOption: 'logPath',
      },
      { name: `${name}-state`, path: PATHS.state, appContainers: [], sizeLimit: Size.mebibytes(stateSizeMebibytes(model)) },
    ],
    portHints: [{ number: model.healthPort, hint: 'pass healthPort to withLogShipper' }],
    podLabels: model.podItems.flatMap((item) => (item.labelKey !== undefined ? [item.labelKey] : [])),
  };
  return { program, engine, model, file, configFile };
}

/**
 * A memory buffer lives in the shipper's memory, beside the program itself (about its default
 * request when idle): both must fit under the memory limit, or the kernel kills the shipper
 * (OOMKilled) just when an output is down and the buffer fills, and the buffered records are lost.
 */
function checkMemoryBuffer(
  fail: (problem: string) => never, model: ShipperModel, engine: LogShipperEngine, resources: kplus.ContainerResources,
): void {
  if (model.buffer.kind !== 'memory' || model.buffer.maxBytes === undefined) return;
  let limitMebibytes: number;
  try {
    limitMebibytes = resources.memory?.limit?.toMebibytes() ?? Infinity;
  } catch {
    return; // not a whole number of MiB: refused with its fix by the engine (attach.ts)
  }
  // Fluent Bit's mem_buf_limit is one total; Vector keeps a buffer of that size per sink.
  const bufferMebibytes = Math.ceil((model.buffer.maxBytes * (engine.id === 'vector' ? model.outputs.length : 1)) / (1024 * 1024));
  const ownMebibytes = RESOURCES[engine.id].memory!.request!.toMebibytes();
  if (bufferMebibytes + ownMebibytes > limitMebibytes) {
    fail(`buffer LogBuffer.memory holds up to ${bufferMebibytes}MiB${engine.id === 'vector' && model.outputs.length > 1 ? ` (${model.outputs.length} sinks)` : ''}, `
      + `which with ${engine.displayName}'s own ~${ownMebibytes}MiB is more than its memory limit ${limitMebibytes}Mi: it would be OOM-killed as the buffer fills; `
      + `raise resources.memory.limit to at least Size.mebibytes(${bufferMebibytes + ownMebibytes}), give a smaller maxSize, or use LogBuffer.filesystem()`);
  }
}
