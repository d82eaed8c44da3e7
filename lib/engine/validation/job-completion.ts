import { longRunningProgram } from '../known-ports';
import { SidecarMode } from '../sidecar-mode';
import { describeContainer, PodView } from './pod-view';

/**
 * A classic sidecar never exits, so a Job (or a CronJob's Jobs) with one never completes:
 * the pod keeps running after the app container is done (istio#11045, linkerd2#2833).
 * Native sidecars are stopped by the kubelet once the regular containers have exited.
 * Besides the sidecars this library attached, a regular container running a well-known program
 * that never exits (an Envoy, a Linkerd proxy, a log shipper: engine/known-ports.ts) is one.
 */
export function checkJobCompletion(pod: PodView): string[] {
  if (!pod.runsToCompletion) return [];
  const ours = pod.containers
    .filter((c) => c.sidecar?.mode === SidecarMode.CLASSIC)
    .map((c) => `${describeContainer(c)} on a ${pod.kind} never exits, so the ${pod.kind} would never complete; `
      + 'attach it with mode: SidecarMode.NATIVE (Kubernetes 1.29 or later, or 1.28 with the SidecarContainers '
      + 'feature gate), or do not attach a long-running sidecar to a Job');
  const regular = pod.containers.filter((c) => !c.init && c.sidecar === undefined);
  if (regular.length < 2) return ours;
  const known = regular.flatMap((c) => {
    const program = longRunningProgram(c.spec.image, c.spec.command, c.spec.args);
    return program === undefined ? [] : [`${describeContainer(c)} runs ${program}, which does not exit by itself, so the ${pod.kind} `
      + 'would never complete; run it as a native sidecar (an init container with restartPolicy: Always, Kubernetes 1.29 or later), '
      + `or leave it out of the ${pod.kind}`];
  });
  return [...ours, ...known];
}
