import { checkManagedFolders } from './folders';
import { checkForbiddenSettings } from './forbidden';
import { checkInternalPaths } from './internal-paths';
import { checkJobCompletion } from './job-completion';
import { checkPodLabels } from './labels';
import { checkMounts } from './mounts';
import { checkContainers } from './names';
import { PodView } from './pod-view';
import { checkPorts } from './ports';
import { checkProbes } from './probes';

/**
 * Every whole-pod rule, one a file, in the order their messages are reported. A new rule is a
 * function of the PodView added here (CONTRIBUTING.md, "Add a rule").
 */
const RULES: ReadonlyArray<(pod: PodView) => string[]> = [
  checkContainers,
  checkPorts,
  checkMounts,
  checkManagedFolders,
  checkJobCompletion,
  checkPodLabels,
  checkProbes,
  checkForbiddenSettings,
  checkInternalPaths,
];

/** Runs every rule over the pod and returns all problems together. */
export function checkPod(pod: PodView): string[] {
  return RULES.flatMap((rule) => rule(pod));
}
