import { declaredPorts, describeContainer, knownUndeclaredPorts, PodView, probeTargets } from './pod-view';
import { quote } from './syntax';

/**
 * Every probe of every container of the pod reaches a port: by number, one a container of the
 * pod declares or a program binds (the ledger, and the ports well-known images bind: known-ports.ts); by name, one its own container declares (the
 * kubelet looks a probe's port name up among the ports of the probed container only:
 * kubernetes pkg/probe/util.go `findPortByName`). A probe at a port nothing listens on fails
 * forever: the kubelet restarts the container in a loop, never routes traffic to the pod, or,
 * for a startup probe of a native sidecar, never starts the app.
 */
export function checkProbes(pod: PodView): string[] {
  let numbers: Set<number> | undefined;
  const problems: string[] = [];
  for (const c of pod.containers) {
    const targets = probeTargets(c);
    if (targets.length === 0) continue;
    if (!numbers) {
      numbers = new Set<number>(pod.boundPorts.map((p) => p.number));
      for (const other of pod.containers) {
        for (const port of declaredPorts(other)) numbers.add(port.containerPort);
        for (const port of knownUndeclaredPorts(other)?.ports ?? []) numbers.add(port.number);
      }
    }
    const ours = c.sidecar !== undefined || c.task !== undefined;
    for (const target of targets) {
      const probe = `the ${target.field} (${target.kind}) of ${describeContainer(c)}`;
      if (typeof target.port === 'number') {
        if (numbers.has(target.port)) continue;
        problems.push(`${probe} targets port ${target.port}, which no container of the pod declares or binds; `
          + `declare it on the container that listens there (ports), ${ours ? 'list it in boundPorts, ' : ''}or probe the port the program listens on`);
        continue;
      }
      if (declaredPorts(c).some((p) => p.name === target.port)) continue;
      const elsewhere = pod.containers.find((o) => o !== c && declaredPorts(o).some((p) => p.name === target.port));
      problems.push(elsewhere
        ? `${probe} targets the port named ${quote(target.port)}, which only ${describeContainer(elsewhere)} declares; the kubelet looks a probe's `
          + 'port name up among the ports of the probed container only: probe the port number, or declare the port on this container'
        : `${probe} targets the port named ${quote(target.port)}, which no container of the pod declares; declare the port with that name, or probe a port number`);
    }
  }
  return problems;
}
