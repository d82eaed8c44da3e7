import { PodView } from './pod-view';
import { quote } from './syntax';

/** A Service of ours and the container port name it targets. */
export interface ServiceTarget {
  /** The Service's construct path, for messages. */
  readonly path: string;
  readonly portName: string;
}

/**
 * The pod as cdk8s-plus renders it: every volumeMount names a volume of the pod, and every port
 * one of our Services targets by name is a port some container declares.
 *
 * The view is read from the pod spec cdk8s-plus builds for the manifest (kplus.ts
 * `renderedPodSpec`), so that a rendering change in cdk8s-plus (a line that drops the `volumes`
 * of some workloads, say) can never produce a pod that mounts a volume it does not have: on a
 * cdk8s-plus workload only rendering can lose a volume, which the message says.
 * `volumes` false skips the mounts: a plain ApiObject's pod is checked by the manifests' rule instead.
 * `renderProblem` is what cdk8s-plus threw when it could not build the pod; reported only when
 * the rules found nothing (they say what it was, in their words).
 */
export function checkRenderedPod(
  pod: PodView,
  services: readonly ServiceTarget[],
  renderProblem: string | undefined,
  rulesFound: boolean,
  volumes = true,
): string[] {
  if (renderProblem !== undefined) return rulesFound ? [] : [`cdk8s-plus could not render the pod: ${renderProblem}`];
  const problems: string[] = [];
  for (const c of volumes ? pod.containers : []) {
    for (const { mount, volume } of c.mounts) {
      if (volume === undefined) {
        problems.push(`the rendered pod mounts volume ${quote(mount.name)} at ${quote(mount.mountPath)} in container ${quote(c.name)}, but has no volume `
          + 'of that name (cdk8s-plus left it out); the pod would be rejected: please report it, with the cdk8s-plus version');
      }
    }
  }
  if (services.length > 0) {
    const portNames = new Set<string>();
    for (const c of pod.containers) for (const p of c.spec.ports ?? []) if (p.name !== undefined) portNames.add(p.name);
    for (const { path, portName } of services) {
      if (!portNames.has(portName)) {
        problems.push(`Service ${quote(path)} targets the port named ${quote(portName)}, which no container of the pod declares; `
          + 'the Service would reach nothing: keep the port, or remove the Service');
      }
    }
  }
  return problems;
}
