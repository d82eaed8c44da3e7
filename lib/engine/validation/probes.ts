import { containerPorts, probeTargets } from '../kplus';
import { describeContainer, PodView } from './pod-view';

/**
 * The probes of the containers this library added reach a port of the pod: by number, one a
 * container declares or a program binds (the ledger); by name, one a container declares. A
 * probe at a port nothing listens on fails forever: the kubelet restarts the sidecar in a loop
 * or, for a startup probe of a native sidecar, the app never starts.
 */
export function checkProbes(pod: PodView): string[] {
  const ours = pod.containers.filter((c) => c.sidecar !== undefined || c.task !== undefined);
  if (ours.length === 0) return [];
  const numbers = new Set<number>(pod.boundPorts.map((p) => p.number));
  const names = new Set<string>();
  for (const c of pod.containers) {
    for (const port of containerPorts(c.container)) {
      numbers.add(port.number);
      if (port.name !== undefined) names.add(port.name);
    }
  }
  const problems: string[] = [];
  for (const c of ours) {
    for (const target of probeTargets(c.container)) {
      if (typeof target.port === 'number' ? numbers.has(target.port) : names.has(target.port)) continue;
      problems.push(typeof target.port === 'number'
        ? `the ${target.field} (${target.kind}) of ${describeContainer(c)} targets port ${target.port}, which no container of the pod `
          + 'declares or binds; declare it on the container that listens there (ports), list it in boundPorts, or probe the port the program listens on'
        : `the ${target.field} (${target.kind}) of ${describeContainer(c)} targets the port named "${target.port}", which no container `
          + 'of the pod declares; declare the port with that name, or probe a port number');
    }
  }
  return problems;
}
