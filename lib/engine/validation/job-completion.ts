import { SidecarMode } from '../sidecar-mode';
import { describeContainer, PodView } from './pod-view';

/**
 * A classic sidecar never exits, so a Job (or a CronJob's Jobs) with one never completes:
 * the pod keeps running after the app container is done (istio#11045, linkerd2#2833).
 * Native sidecars are stopped by the kubelet once the regular containers have exited.
 */
export function checkJobCompletion(pod: PodView): string[] {
  if (!pod.runsToCompletion) return [];
  return pod.containers
    .filter((c) => c.sidecar?.mode === SidecarMode.CLASSIC)
    .map((c) => `${describeContainer(c)} on a ${pod.kind} never exits, so the ${pod.kind} would never complete; `
      + 'attach it with mode: SidecarMode.NATIVE (Kubernetes 1.29 or later, or 1.28 with the SidecarContainers '
      + 'feature gate), or do not attach a long-running sidecar to a Job');
}
