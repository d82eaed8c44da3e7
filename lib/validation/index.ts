import { checkJobCompletion } from './job-completion';
import { checkMounts } from './mounts';
import { checkContainers } from './names';
import { PodView } from './pod-view';
import { checkPorts } from './ports';

/**
 * Every whole-pod rule, in the order their messages are reported. A pod goes to them only when
 * the screen (screen.ts) finds something that could be a problem: a new rule needs a condition
 * there too (test/validation/screen.test.ts compares the two on random pods).
 */
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
