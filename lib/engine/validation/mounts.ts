import { kplus } from '../kplus';
import { bothOrAll, groupBy, joinAnd } from './group';
import { ContainerView, describeContainer, PodView } from './pod-view';
import { mountPathProblem, normalizePath, samePath } from './syntax';

/**
 * Volumes and mounts: one volume a name, one mount a path in each container, absolute paths,
 * no subPath into a volume another container writes.
 * cdk8s-plus reports two volumes of one name only while rendering; this says it first,
 * with the containers that mount each.
 */
export function checkMounts(pod: PodView): string[] {
  const problems: string[] = [];

  // One volume object a name: detected with one map, described only when two differ.
  const byName = new Map<string, kplus.Volume>();
  let differing = false;
  for (const volume of pod.volumes) {
    const seen = byName.get(volume.name);
    if (seen === undefined) byName.set(volume.name, volume);
    else if (seen !== volume) differing = true;
  }
  for (const c of pod.containers) {
    for (const mount of c.container.mounts) {
      const seen = byName.get(mount.volume.name);
      if (seen === undefined) byName.set(mount.volume.name, mount.volume);
      else if (seen !== mount.volume) differing = true;
    }
  }
  if (differing) problems.push(...describeVolumeClashes(pod));

  for (const c of pod.containers) {
    for (const mount of c.container.mounts) {
      const problem = mountPathProblem(mount.path);
      if (problem) {
        problems.push(`mount path "${mount.path}" of volume "${mount.volume.name}" in ${describeContainer(c)} ${problem}; `
          + 'give the absolute path inside the container');
      }
      if (pod.isShared(mount.volume) && (mount.subPath !== undefined || mount.subPathExpr !== undefined)) {
        problems.push(`shared volume "${mount.volume.name}" is mounted with a subPath in ${describeContainer(c)}; `
          + 'another container writes this volume, and a subPath into a volume another container writes can be turned '
          + 'into a symlink out of it (CVE-2021-25741): mount the whole volume at a path of its own');
      }
    }
    const mounts = c.container.mounts;
    if (mounts.length > 1 && hasSharedPath(mounts)) {
      for (const [path, same] of groupBy(mounts, (m) => normalizePath(m.path))) {
        if (same.length > 1) {
          const what = same.map((m) => `volume "${m.volume.name}"`);
          problems.push(`mount path "${path}" in ${describeContainer(c)}: ${joinAnd(what)} are ${bothOrAll(same.length)} `
            + 'mounted there, and a path takes one mount; move all but one to another path');
        }
      }
    }
  }
  return problems;
}

/** True when two mounts are at one path. A container has a handful of mounts: pairs are compared without building a set. */
export function hasSharedPath(mounts: readonly kplus.VolumeMount[]): boolean {
  if (mounts.length > 16) return new Set(mounts.map((m) => normalizePath(m.path))).size < mounts.length;
  for (let i = 1; i < mounts.length; i++) {
    for (let j = 0; j < i; j++) {
      if (samePath(mounts[i].path, mounts[j].path)) return true;
    }
  }
  return false;
}

/** Every volume name used by two different volume objects, with the containers using each. */
function describeVolumeClashes(pod: PodView): string[] {
  const users = new Map<kplus.Volume, Set<ContainerView | 'pod'>>();
  const note = (volume: kplus.Volume, who: ContainerView | 'pod') => {
    const set = users.get(volume);
    if (set) set.add(who);
    else users.set(volume, new Set([who]));
  };
  for (const volume of pod.volumes) note(volume, 'pod');
  for (const c of pod.containers) {
    for (const mount of c.container.mounts) note(mount.volume, c);
  }
  const problems: string[] = [];
  for (const [name, volumes] of groupBy(users.keys(), (v) => v.name)) {
    if (volumes.length > 1) {
      const describe = (who: ContainerView | 'pod') => (who === 'pod' ? 'the pod' : describeContainer(who));
      const parties = volumes.map((v, i) => `volume #${i + 1} (used by ${joinAnd([...users.get(v)!].map(describe))})`);
      problems.push(`volume name "${name}": ${joinAnd(parties)} are different volumes of one name, `
        + 'and a pod can hold only one; give each its own name, or mount the same volume object in each container');
    }
  }
  return problems;
}
