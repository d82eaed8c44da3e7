import { bothOrAll, groupBy, joinAnd } from './group';
import { describeContainer, PodView } from './pod-view';
import { dnsLabelProblem, quote } from './syntax';

/**
 * Container names: unique across containers and init containers (the kubelet addresses
 * containers by name), and DNS-1123 labels. Also the container-level mistakes cdk8s-plus
 * would otherwise only report while rendering, after earlier charts were written.
 */
export function checkContainers(pod: PodView): string[] {
  const problems: string[] = [];
  if (!pod.containers.some((c) => !c.init)) {
    problems.push(`the ${pod.kind} has no regular container, only ${pod.containers.length} init container(s); `
      + 'a pod needs at least one: add the app container');
  }
  // Clashes detected with one set, described (grouped) only when there are some.
  const names = new Set<string>();
  let clash = false;
  for (const c of pod.containers) {
    if (names.has(c.name)) clash = true;
    names.add(c.name);
  }
  for (const [name, group] of clash ? groupBy(pod.containers, (c) => c.name) : []) {
    if (group.length > 1) {
      problems.push(`container name ${quote(name)}: ${joinAnd(group.map(describeContainer))} ${bothOrAll(group.length)} use it; `
        + 'names must be unique across containers and init containers: rename all but one');
    }
  }
  for (const name of names) {
    const problem = dnsLabelProblem(name);
    if (problem) {
      problems.push(`container name ${quote(name)} ${problem}; rename the container`);
    }
  }
  for (const c of pod.containers) {
    if (!c.init && c.spec.restartPolicy !== undefined) {
      problems.push(`${describeContainer(c)} sets restartPolicy, which only init containers may set; `
        + 'remove it, or add the container with addInitContainer() to make it a native sidecar');
    }
    if (String(c.spec.image ?? '').trim() === '') {
      problems.push(`${describeContainer(c)} has an empty image; give it an image reference`);
    }
  }
  return problems;
}
