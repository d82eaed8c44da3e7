import { bothOrAll, groupBy, joinAnd } from './group';
import { ContainerView, describeContainer, PodView, VolumeView } from './pod-view';
import { mountPathProblem, normalizePath, quote, samePath } from './syntax';

/**
 * Volumes and mounts: one volume a name, one mount a path in each container, absolute paths,
 * no subPath into a volume another container writes.
 * cdk8s-plus reports two volumes of one name only while rendering; this says it first,
 * with the containers that mount each.
 */
export function checkMounts(pod: PodView): string[] {
  const problems: string[] = [];

  // One volume a name: detected with one set, described only when two share one.
  const names = new Set<string>();
  let differing = false;
  for (const volume of pod.volumes) {
    if (volume.claim) continue;
    if (names.has(volume.name)) differing = true;
    names.add(volume.name);
  }
  if (differing) problems.push(...describeVolumeClashes(pod));

  for (const c of pod.containers) {
    for (const { mount, volume } of c.mounts) {
      const problem = mountPathProblem(mount.mountPath);
      if (problem) {
        problems.push(`mount path ${quote(mount.mountPath)} of volume ${quote(mount.name)} in ${describeContainer(c)} ${problem}; `
          + 'give the absolute path inside the container');
      }
      if (volume?.shared && (mount.subPath !== undefined || mount.subPathExpr !== undefined)) {
        problems.push(`shared volume ${quote(mount.name)} is mounted with a subPath in ${describeContainer(c)}; `
          + 'another container writes this volume, and a subPath into a volume another container writes can be turned '
          + 'into a symlink out of it (CVE-2021-25741): mount the whole volume at a path of its own');
      }
    }
    const mounts = c.mounts;
    if (mounts.length > 1 && hasSharedPath(mounts.map((m) => m.mount.mountPath))) {
      for (const [path, same] of groupBy(mounts, (m) => normalizePath(m.mount.mountPath))) {
        if (same.length > 1) {
          const what = same.map((m) => `volume ${quote(m.mount.name)}`);
          problems.push(`mount path ${quote(path)} in ${describeContainer(c)}: ${joinAnd(what)} are ${bothOrAll(same.length)} `
            + 'mounted there, and a path takes one mount; move all but one to another path');
        }
      }
    }
  }
  return problems;
}

/** True when two paths are one. A container has a handful of mounts: pairs are compared without building a set. */
export function hasSharedPath(paths: readonly string[]): boolean {
  if (paths.length > 16) return new Set(paths.map((p) => normalizePath(p))).size < paths.length;
  for (let i = 1; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      if (samePath(paths[i], paths[j])) return true;
    }
  }
  return false;
}

/** Every volume name held by two volumes, with the containers using each. */
function describeVolumeClashes(pod: PodView): string[] {
  const users = new Map<VolumeView, Set<ContainerView | 'pod'>>();
  const note = (volume: VolumeView, who: ContainerView | 'pod') => {
    const set = users.get(volume);
    if (set) set.add(who);
    else users.set(volume, new Set([who]));
  };
  for (const volume of pod.volumes) {
    if (volume.claim) continue;
    if (volume.listed) note(volume, 'pod');
    else users.set(volume, new Set());
  }
  for (const c of pod.containers) {
    for (const mount of c.mounts) if (mount.volume && !mount.volume.claim) note(mount.volume, c);
  }
  const problems: string[] = [];
  for (const [name, volumes] of groupBy(users.keys(), (v) => v.name)) {
    if (volumes.length > 1) {
      const describe = (who: ContainerView | 'pod') => (who === 'pod' ? 'the pod' : describeContainer(who));
      const parties = volumes.map((v, i) => `volume #${i + 1} (used by ${joinAnd([...users.get(v)!].map(describe))})`);
      problems.push(`volume name ${quote(name)}: ${joinAnd(parties)} are different volumes of one name, `
        + 'and a pod can hold only one; give each its own name, or mount the same volume object in each container');
    }
  }
  return problems;
}
