import { checkManagedFolders } from './folders';
import { checkForbiddenSettings } from './forbidden';
import { checkInternalPaths } from './internal-paths';
import { checkJobCompletion } from './job-completion';
import { checkPodLabels } from './labels';
import { checkMountedVolumes } from './mounted-volumes';
import { checkMounts } from './mounts';
import { checkContainers } from './names';
import { PodView } from './pod-view';
import { checkPorts } from './ports';
import { checkProbes } from './probes';
import { checkRestrictedProfile } from './restricted';

/** A whole-pod rule: its id (in the findings of `checkManifests` and the plugin) and its check. */
export interface PodRule {
  /** `ports`, `mounts`, …: the rule's file name. */
  readonly id: string;
  readonly check: (pod: PodView) => string[];
}

/**
 * Every whole-pod rule, one a file, in the order their messages are reported. A new rule is a
 * function of the PodView added here (CONTRIBUTING.md, "Add a rule").
 */
export const RULES: readonly PodRule[] = [
  { id: 'container-names', check: checkContainers },
  { id: 'ports', check: checkPorts },
  { id: 'mounts', check: checkMounts },
  { id: 'folders', check: checkManagedFolders },
  { id: 'job-completion', check: checkJobCompletion },
  { id: 'pod-labels', check: checkPodLabels },
  { id: 'probes', check: checkProbes },
  { id: 'forbidden-settings', check: checkForbiddenSettings },
  { id: 'internal-paths', check: checkInternalPaths },
];

/**
 * The rules for the pods of manifests: the same, and the check of what cdk8s-plus would never
 * render wrong (a mount of a volume the pod does not have; for a cdk8s-plus workload,
 * validation/rendered.ts says that, as a rendering bug).
 */
export const MANIFEST_RULES: readonly PodRule[] = [
  ...RULES,
  { id: 'mounted-volumes', check: checkMountedVolumes },
];

/** The Pod Security Standards "restricted" profile: an opt-in rule for manifests. */
export const RESTRICTED_RULE: PodRule = { id: 'restricted', check: checkRestrictedProfile };

/** Runs every rule (or the given ones) over the pod and returns all problems together. */
export function checkPod(pod: PodView, rules: readonly PodRule[] = RULES): string[] {
  return rules.flatMap((rule) => rule.check(pod));
}
