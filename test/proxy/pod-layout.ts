/**
 * Lays a synthesized pod's container out on the local disk, so the real program can run
 * with the files the pod would give it.
 *
 * The only rewrite is of absolute mount roots: every volumeMount of the container (read from
 * the synthesized pod spec, not from constants of the library) becomes a folder under `root`,
 * filled as Kubernetes fills the volume (ConfigMap and Secret keys as files, emptyDir empty),
 * and every occurrence of the mount path in the configuration files and in the container's
 * arguments is replaced by that folder. So a path the configuration names that no mount
 * provides stays as it is, and the program fails on it as it would in the pod.
 */
import * as fs from 'fs';
import * as path from 'path';
import { podSpecOf } from '../util/restricted';
import { find } from '../util/synth';

export interface PodLayout {
  /** The container as synthesized. */
  readonly container: any;
  /** mountPath → local folder, longest mount path first. */
  readonly mounts: ReadonlyArray<{ mountPath: string; dir: string; volume: any }>;
  /** The container's command and arguments, rewritten. */
  readonly argv: string[];
  /** Rewrites mount roots in `text` (a configuration file or an argument). */
  rewrite(text: string): string;
}

/**
 * Writes the volumes of container `containerName` of `workload` under `root` and returns the
 * mapping. Folders get the modes Kubernetes gives them: an emptyDir is 0777; ConfigMap and
 * Secret files are 0644 (the volumes' default `defaultMode`).
 */
export function layOutPod(manifests: any[], workload: any, containerName: string, root: string): PodLayout {
  const spec = podSpecOf(workload);
  const container = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].find((c: any) => c.name === containerName);
  if (!container) throw new Error(`no container "${containerName}" in ${workload.metadata.name}`);

  const mounts = (container.volumeMounts ?? []).map((m: any) => {
    const volume = (spec.volumes ?? []).find((v: any) => v.name === m.name);
    if (!volume) throw new Error(`volumeMount ${m.mountPath} names volume "${m.name}", which the pod does not have`);
    const dir = path.join(root, 'volumes', m.name);
    fs.mkdirSync(dir, { recursive: true });
    if (volume.emptyDir) {
      // Kubernetes creates emptyDir folders world-writable (0777).
      fs.chmodSync(dir, 0o777);
    } else if (volume.configMap) {
      const configMap = find(manifests, 'ConfigMap', volume.configMap.name);
      writeKeys(dir, configMap.data ?? {});
    } else if (volume.secret) {
      const secret = find(manifests, 'Secret', volume.secret.secretName);
      const data = { ...(secret.stringData ?? {}) };
      for (const [k, v] of Object.entries(secret.data ?? {})) data[k] = Buffer.from(v as string, 'base64').toString('utf8');
      writeKeys(dir, data);
    } else {
      throw new Error(`volume "${m.name}": only emptyDir, configMap and secret volumes are laid out`);
    }
    return { mountPath: m.mountPath as string, dir, volume };
  }).sort((a: any, b: any) => b.mountPath.length - a.mountPath.length);

  // One pass over the text, so a folder written for one mount is never rewritten for another
  // (the local folders live under /tmp, itself a mount path of the nginx proxy).
  const alternatives = mounts.map((m: any) => m.mountPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  // A mount path as a whole path component: followed by "/", a quote, whitespace, ";" or the end.
  const pattern = new RegExp(`(?<![\\w/.-])(${alternatives})(?=[/"'\\s;]|$)`, 'g');
  const rewrite = (text: string): string => mounts.length === 0
    ? text
    : text.replace(pattern, (mountPath: string) => mounts.find((m: any) => m.mountPath === mountPath)!.dir);

  // The configuration files are rewritten in place (they are this container's own files).
  for (const m of mounts) {
    if (m.volume.configMap) {
      for (const file of fs.readdirSync(m.dir)) {
        const p = path.join(m.dir, file);
        fs.writeFileSync(p, rewrite(fs.readFileSync(p, 'utf8')));
      }
    }
  }
  const argv = [...(container.command ?? []), ...(container.args ?? [])].map(rewrite);
  return { container, mounts, rewrite, argv };
}

function writeKeys(dir: string, data: Record<string, string>): void {
  for (const [key, value] of Object.entries(data)) {
    fs.writeFileSync(path.join(dir, key), value, { mode: 0o644 });
  }
}

/**
 * Rewrites a volume folder written by layOutPod (plain files) the way the kubelet lays out
 * Secret, ConfigMap and projected volumes (pkg/volume/util/atomic_writer.go): the files in a
 * timestamped folder `..<timestamp>`, a symlink `..data` to it, and each key a symlink
 * `<key> -> ..data/<key>`.
 */
export function layOutLikeKubelet(dir: string): void {
  const data: Record<string, Buffer> = {};
  for (const name of fs.readdirSync(dir)) {
    data[name] = fs.readFileSync(path.join(dir, name));
    fs.rmSync(path.join(dir, name));
  }
  const target = writeTimestamped(dir, data);
  fs.symlinkSync(target, path.join(dir, '..data'));
  for (const name of Object.keys(data)) {
    fs.symlinkSync(path.join('..data', name), path.join(dir, name));
  }
}

/**
 * Updates a volume laid out by layOutLikeKubelet as the kubelet does when the Secret or
 * ConfigMap changes: the new files in a new timestamped folder, a symlink `..data_tmp` to it
 * renamed over `..data` (one atomic move into the folder), the old folder removed. The keys
 * must stay the same.
 */
export function updateLikeKubelet(dir: string, data: Record<string, string | Buffer>): void {
  const old = fs.readlinkSync(path.join(dir, '..data'));
  const target = writeTimestamped(dir, data);
  fs.symlinkSync(target, path.join(dir, '..data_tmp'));
  fs.renameSync(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  fs.rmSync(path.join(dir, old), { recursive: true, force: true });
}

let stamp = 0;
function writeTimestamped(dir: string, data: Record<string, string | Buffer>): string {
  const name = `..${new Date().toISOString().replace(/[-:.TZ]/g, '_')}${++stamp}`;
  fs.mkdirSync(path.join(dir, name), { mode: 0o755 });
  for (const [key, value] of Object.entries(data)) {
    fs.writeFileSync(path.join(dir, name, key), value, { mode: 0o644 });
  }
  return name;
}
