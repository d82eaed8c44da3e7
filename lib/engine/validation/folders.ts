import { describeContainer, PodView } from './pod-view';
import { isInside, quote } from './syntax';

/**
 * Nothing is mounted inside a folder whose contents a program replaces (a synced checkout):
 * the mount point would sit among files the program deletes and rewrites (git-sync empties its
 * root of anything it does not know), and the app would read a mix of both.
 */
export function checkManagedFolders(pod: PodView): string[] {
  const problems: string[] = [];
  for (const folder of pod.folders) {
    for (const view of pod.containers) {
      if (!folder.containers.includes(view.name)) continue;
      for (const { mount } of view.mounts) {
        if (mount.name !== folder.volume && isInside(mount.mountPath, folder.path)) {
          problems.push(`${describeContainer(view)} mounts volume ${quote(mount.name)} at ${quote(mount.mountPath)}, inside the folder ${quote(folder.path)} `
            + `that container ${quote(folder.owner)} (${folder.purpose}) keeps current and rewrites; mount it elsewhere, or give the folder another path`);
        }
      }
    }
  }
  return problems;
}
