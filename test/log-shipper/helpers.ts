/**
 * Reading a synthesized log shipper back: its workload, container, ConfigMap and parsed
 * configuration, and a check that every path the configuration names is where the pod spec
 * mounts it.
 */
import { parse } from 'yaml';
import { allContainers, podSpecOf } from '../util/restricted';

const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

export interface Shipped {
  readonly workload: any;
  readonly spec: any;
  readonly shipper: any;
  readonly configMap: any;
  readonly file: string;
  readonly text: string;
  readonly config: any;
}

/** The shipper named `container` (default `log-shipper`) in the manifests, with its configuration. */
export function shipped(manifests: any[], container = 'log-shipper', workloadName?: string): Shipped {
  const workload = manifests.find((m) => WORKLOAD_KINDS.includes(m.kind)
    && (workloadName === undefined || m.metadata.name.includes(workloadName))
    && allContainers(podSpecOf(m)).some((c: any) => c.name === container));
  if (!workload) throw new Error(`no workload with a container "${container}"`);
  const spec = podSpecOf(workload);
  const shipper = allContainers(spec).find((c: any) => c.name === container);
  const configMount = shipper.volumeMounts.find((m: any) => m.mountPath === '/etc/log-shipper');
  const configVolume = spec.volumes.find((v: any) => v.name === configMount.name);
  const configMap = manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === configVolume.configMap.name);
  const [file, text] = Object.entries<string>(configMap.data)[0];
  return { workload, spec, shipper, configMap, file, text, config: parse(text) };
}

/** The mount of `container` that holds `path` (the deepest one), or undefined. */
export function mountHolding(container: any, path: string): any {
  return (container.volumeMounts ?? [])
    .filter((m: any) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0];
}

function dirOf(glob: string): string {
  const parts = glob.split('/');
  const firstGlob = parts.findIndex((p) => /[*?[]/.test(p));
  return parts.slice(0, firstGlob === -1 ? parts.length - 1 : firstGlob).join('/') || '/';
}

/**
 * Every path the configuration names, checked against the pod spec: the files it reads are on
 * the log volume that the app containers write (read-only in the shipper); what it writes is on
 * a writable emptyDir; what it reads (configuration, CA, credentials, pod values) is mounted
 * read-only, with the files it expects; and every `${VAR}` it names is an environment variable
 * of the shipper. Returns every mismatch.
 */
export function pathProblems(s: Shipped, manifests: any[]): string[] {
  const problems: string[] = [];
  const { spec, shipper, config } = s;
  const volume = (name: string) => spec.volumes.find((v: any) => v.name === name);
  const apps = allContainers(spec).filter((c: any) => c !== shipper);

  // The configuration file itself: the args name it, a ConfigMap mount holds it.
  const args: string[] = shipper.args;
  const file = args[args.indexOf(args.find((a) => a === '-c' || a === '--config')!) + 1];
  const fileMount = mountHolding(shipper, file);
  if (!fileMount || !volume(fileMount.name)?.configMap) problems.push(`config file ${file} is not on a ConfigMap mount`);
  else if (`${fileMount.mountPath}/${s.file}` !== file) problems.push(`config file ${file} is not the ConfigMap key ${s.file}`);

  const reads: string[] = [];
  const writes: string[] = [];
  const logGlobs: string[] = [];
  const caFiles: string[] = [];
  if (s.file === 'fluent-bit.yaml') {
    for (const input of config.pipeline.inputs) {
      logGlobs.push(...String(input.path).split(','));
      if (input.db) writes.push(input.db);
    }
    if (config.service['storage.path']) writes.push(config.service['storage.path']);
    for (const output of config.pipeline.outputs) {
      if (output.store_dir) writes.push(output.store_dir);
      if (output['tls.ca_file']) caFiles.push(output['tls.ca_file']);
    }
    // Every ${VAR} is an environment variable of the shipper.
    const env = new Set((shipper.env ?? []).map((e: any) => e.name));
    for (const m of s.text.matchAll(/\$\{([^}]*)\}/g)) {
      if (!env.has(m[1])) problems.push(`\${${m[1]}} is not an environment variable of the shipper`);
    }
  } else {
    writes.push(config.data_dir);
    for (const source of Object.values<any>(config.sources)) logGlobs.push(...source.include);
    for (const sink of Object.values<any>(config.sinks)) if (sink.tls?.ca_file) caFiles.push(sink.tls.ca_file);
    for (const [name, backend] of Object.entries<any>(config.secret ?? {})) {
      reads.push(backend.path);
      const mount = mountHolding(shipper, backend.path);
      const v = mount && volume(mount.name);
      const files = new Set<string>([
        ...(v?.downwardAPI?.items ?? []).map((i: any) => i.path),
        ...(v?.projected?.sources ?? [])
          .flatMap((src: any) => [...(src.secret?.items ?? []), ...(src.downwardAPI?.items ?? [])].map((i: any) => i.path)),
      ]);
      for (const m of s.text.matchAll(new RegExp(`SECRET\\[${name}\\.([^\\]]+)\\]`, 'g'))) {
        if (!files.has(m[1])) problems.push(`SECRET[${name}.${m[1]}]: no file "${m[1]}" in the volume mounted at ${backend.path}`);
      }
    }
    if ((shipper.env ?? []).length > 0) problems.push('Vector gets no environment variables: it does not interpolate them');
  }

  for (const glob of logGlobs) {
    const dir = dirOf(glob);
    const mount = mountHolding(shipper, dir);
    if (!mount) {
      problems.push(`log files ${glob}: nothing mounted at ${dir} in the shipper`);
      continue;
    }
    if (!mount.readOnly) problems.push(`log files ${glob}: the shipper mounts ${mount.mountPath} writable`);
    if (!volume(mount.name)?.emptyDir?.sizeLimit) problems.push(`log files ${glob}: volume ${mount.name} is not an emptyDir with a sizeLimit`);
    const writesHere = (m: any) => m.name === mount.name && m.mountPath === mount.mountPath && !m.readOnly;
    const writers = apps.filter((c: any) => (c.volumeMounts ?? []).some(writesHere));
    if (writers.length === 0) problems.push(`log files ${glob}: no app container writes volume ${mount.name} at ${mount.mountPath}`);
  }
  for (const path of writes) {
    const mount = mountHolding(shipper, path);
    if (!mount) problems.push(`${path}: written by the shipper, but nothing is mounted there (the root filesystem is read-only)`);
    else if (mount.readOnly) problems.push(`${path}: written by the shipper, but ${mount.mountPath} is mounted read-only`);
    else if (!volume(mount.name)?.emptyDir) problems.push(`${path}: on volume ${mount.name}, not an emptyDir`);
    else if (apps.some((c: any) => (c.volumeMounts ?? []).some((m: any) => m.name === mount.name))) problems.push(`${path}: the shipper's state volume is shared with the app`);
  }
  for (const path of [...reads, ...caFiles]) {
    const mount = mountHolding(shipper, path);
    if (!mount) problems.push(`${path}: read by the shipper, but nothing is mounted there`);
    else if (!mount.readOnly) problems.push(`${path}: mounted writable`);
  }
  for (const path of caFiles) {
    const mount = mountHolding(shipper, path);
    const v = mount && volume(mount.name);
    const items = v?.configMap?.items ?? v?.secret?.items ?? [];
    const name = path.slice(mount?.mountPath.length + 1);
    if (!items.some((i: any) => i.path === name)) problems.push(`${path}: no item "${name}" in volume ${mount?.name}`);
  }
  void manifests;
  return problems;
}
