import { PodView } from './pod-view';
import { quote } from './syntax';

/**
 * The pod labels a program reads through the downward API exist on the pod template by
 * synthesis (they may be added after the call): a missing one stops the container from starting
 * (`CreateContainerConfigError`).
 */
export function checkPodLabels(pod: PodView): string[] {
  return pod.requiredLabels.flatMap((required) => required.keys
    .filter((key) => pod.labels[key] === undefined)
    .map((key) => `container ${quote(required.owner)} (${required.purpose}) reads the pod label ${quote(key)}, which the pod template does not have; `
      + 'add it (workload.podMetadata.addLabel) or stop reading it'));
}
