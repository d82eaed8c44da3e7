import { containerPorts, kplus, runsToCompletion, TCP, Workload } from '../kplus';
import { SidecarMode } from '../sidecar-mode';
import { hasSharedPath } from './mounts';
import { LedgerPort, SidecarInfo } from './pod-view';
import { portId } from './ports';
import { dnsLabelProblem, mountPathProblem, portNameProblem, portNumberProblem } from './syntax';

/**
 * One pass over the pod that tells whether any whole-pod rule could find a problem: false as
 * soon as something might be one (a repeated port, name or mount path, a value out of form),
 * true when none can be. Only then are the rules (checkPod) skipped, so every problem is still
 * described by the rule that owns it; a pod that merely looks suspicious (an init container
 * reusing an app's port, a port both declared and bound) goes to the rules, which may find it fine.
 *
 * Why: nearly every pod of a fleet is sound, and describing one through the rules builds a view
 * of each container and each port first; this reads the pod once and builds three small sets
 * (bench/RESULTS.md). Every rule must keep here a condition that fails for anything it reports;
 * test/validation/screen.test.ts checks that on random pods.
 */
export function screenPod(
  workload: Workload,
  sidecars: ReadonlyMap<kplus.Container, SidecarInfo>,
  ledger: readonly LedgerPort[],
  isShared: (volume: kplus.Volume) => boolean,
): boolean {
  const regular = workload.containers;
  // names.ts: a pod needs a regular container.
  if (regular.length === 0) return false;
  // job-completion.ts: a classic sidecar on a Job or CronJob.
  if (runsToCompletion(workload)) {
    for (const info of sidecars.values()) if (info.mode === SidecarMode.CLASSIC) return false;
  }
  // mounts.ts: one volume object a name, across the pod's volumes (cdk8s-plus keeps them by
  // name, one each) and every mount.
  const volumes = new Map<string, kplus.Volume>();
  const podVolumes = workload.volumes;
  for (let i = 0; i < podVolumes.length; i++) volumes.set(podVolumes[i].name, podVolumes[i]);
  const names = new Set<string>();
  // ports.ts: every listener of the pod on its own port and protocol, whichever container
  // runs it and whenever; named ports with names of their own; host ports requested once.
  const ports = new Set<number>();
  const portNames = new Set<string>();
  let hostPorts: Set<number> | undefined;
  const init = workload.initContainers;
  const all = init.length === 0 ? regular : init.concat(regular);
  for (let i = 0; i < all.length; i++) {
    const c = all[i];
    // names.ts: unique DNS-1123 names, restartPolicy on init containers only, an image.
    if (names.has(c.name) || dnsLabelProblem(c.name) !== undefined) return false;
    names.add(c.name);
    if (i >= init.length && c.restartPolicy !== undefined) return false;
    if (c.image.trim() === '') return false;
    const declared = containerPorts(c);
    for (let j = 0; j < declared.length; j++) {
      const port = declared[j];
      if (portNumberProblem(port.number) !== undefined) return false;
      const protocol = port.protocol ?? TCP;
      const id = portId(port.number, protocol);
      if (ports.has(id)) return false;
      ports.add(id);
      if (port.hostPort !== undefined) {
        const hostId = portId(port.hostPort, protocol);
        if (hostPorts?.has(hostId)) return false;
        (hostPorts ??= new Set()).add(hostId);
      }
      if (port.name !== undefined) {
        if (portNames.has(port.name) || portNameProblem(port.name) !== undefined) return false;
        portNames.add(port.name);
      }
    }
    // mounts.ts: absolute paths, one mount a path, no subPath into a shared volume.
    const mounts = c.mounts;
    for (let j = 0; j < mounts.length; j++) {
      const mount = mounts[j];
      if (mountPathProblem(mount.path) !== undefined) return false;
      if (!sameVolumeByName(volumes, mount.volume)) return false;
      if ((mount.subPath !== undefined || mount.subPathExpr !== undefined) && isShared(mount.volume)) return false;
    }
    if (mounts.length > 1 && hasSharedPath(mounts)) return false;
  }
  for (let i = 0; i < ledger.length; i++) {
    const id = portId(ledger[i].number, ledger[i].protocol);
    if (ports.has(id)) return false;
    ports.add(id);
  }
  return true;
}

/** Records `volume` under its name; false when another volume object has the name. */
function sameVolumeByName(volumes: Map<string, kplus.Volume>, volume: kplus.Volume): boolean {
  const seen = volumes.get(volume.name);
  if (seen === undefined) volumes.set(volume.name, volume);
  return seen === undefined || seen === volume;
}
