import { checkJobCompletion } from './job-completion';
import { checkMounts } from './mounts';
import { checkContainers } from './names';
import { PodView } from './pod-view';
import { checkPorts } from './ports';

/** Every whole-pod rule, in the order their messages are reported. */
const RULES: ReadonlyArray<(pod: PodView) => string[]> = [
  checkContainers,
  checkPorts,
  checkMounts,
  checkJobCompletion,
];

/** Runs every rule over the pod and returns all problems together. */
export function checkPod(pod: PodView): string[] {
  const problems: string[] = [];
  for (const rule of RULES) {
    const found = rule(pod);
    for (const problem of found) problems.push(problem);
  }
  return problems;
}
