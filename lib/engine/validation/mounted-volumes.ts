import { describeContainer, PodView } from './pod-view';
import { quote } from './syntax';

/**
 * Every volumeMount names a volume of the pod (or, on a StatefulSet, a volumeClaimTemplate): the
 * API server refuses a pod that mounts a volume it does not have (`spec.containers[0].volumeMounts[0].name: Not found`).
 * For manifests; on a cdk8s-plus workload only rendering can lose a volume (validation/rendered.ts).
 */
export function checkMountedVolumes(pod: PodView): string[] {
  const problems: string[] = [];
  for (const c of pod.containers) {
    for (const { mount, volume } of c.mounts) {
      if (volume === undefined) {
        problems.push(`${describeContainer(c)} mounts volume ${quote(mount.name)} at ${quote(mount.mountPath)}, which the pod does not have; `
          + 'add the volume to the pod\'s volumes, or mount one it has');
      }
    }
  }
  return problems;
}
