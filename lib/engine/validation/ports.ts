import { bothOrAll, groupBy, joinAnd } from './group';
import { ContainerView, declaredPorts, describeContainer, knownUndeclaredPorts, PodView } from './pod-view';
import { portNameProblem, portNumberProblem, quote } from './syntax';

/** One listener of the pod: a declared containerPort or a port from the ledger. */
interface Listener {
  readonly owner: ContainerView;
  readonly number: number;
  readonly protocol: string;
  readonly declared: boolean;
  readonly name?: string;
  readonly purpose?: string;
  readonly address?: string;
  readonly hostPort?: number;
  readonly hostIp?: string;
}

/**
 * Ports across the whole pod. Containers of one pod share a network namespace, so two
 * long-running containers cannot listen on one port and protocol, declared or not. The
 * API server only warns about declared duplicates and cannot see undeclared listeners.
 */
export function checkPorts(pod: PodView): string[] {
  const problems: string[] = [];
  const listeners = collectListeners(pod, problems);

  // One port/protocol, two long-running containers (or twice in one). Detected with one map;
  // the groups are only gathered for the ports that clash.
  const first = new Map<number, Listener>();
  const clashing = new Set<string>();
  for (const l of listeners) {
    if (!l.owner.longRunning) continue;
    const key = portId(l.number, l.protocol);
    if (first.has(key)) clashing.add(`${l.number}/${l.protocol}`);
    else first.set(key, l);
  }
  const groups = clashing.size > 0 ? groupBy(listeners.filter((l) => l.owner.longRunning), (l) => `${l.number}/${l.protocol}`) : undefined;
  for (const port of clashing) {
    const group = groups!.get(port)!;
    const hint = group.map((l) => hintFor(pod, l)).find((h) => h !== undefined)
      ?? `give ${group.length === 2 ? 'one' : 'all but one'} of them another port`;
    problems.push(`port ${port}: ${joinAnd(group.map(describeListener))} ${bothOrAll(group.length)} listen on it, `
      + `and the containers of a pod share one network namespace; ${hint}`);
  }

  // A plain init container runs while the native sidecars declared before it already run.
  const running = new Map<number, Listener>();
  for (const l of listeners) {
    if (!l.owner.init) break; // listeners are in pod order: init containers first
    const key = portId(l.number, l.protocol);
    if (l.owner.longRunning) {
      if (!running.has(key)) running.set(key, l);
      continue;
    }
    const clash = running.get(key);
    if (clash) {
      const hint = hintFor(pod, l) ?? hintFor(pod, clash) ?? 'give one of them another port';
      problems.push(`port ${l.number}/${l.protocol}: ${describeListener(l)} listens on it while ${describeListener(clash)}, `
        + `started before it, already does; ${hint}`);
    }
  }

  // hostPort clashes: one host port and protocol requested twice on overlapping host IPs.
  const withHostPort = listeners.filter((l) => l.declared && l.hostPort !== undefined);
  if (withHostPort.length > 1) {
    for (const [hostPort, group] of groupBy(withHostPort, (l) => `${l.hostPort}/${l.protocol}`)) {
      const anyIp = (l: Listener) => l.hostIp === undefined || l.hostIp === '0.0.0.0';
      const clash = group.length > 1 && (group.some(anyIp) || new Set(group.map((l) => l.hostIp)).size < group.length);
      if (clash) {
        problems.push(`hostPort ${hostPort}: requested by ${joinAnd(group.map(describeListener))}; `
          + 'a node gives a host port to one container only: remove the hostPort from all but one');
      }
    }
  }

  // Port names: a Service or probe that targets a name must find one port.
  const names = new Set<string>();
  const repeated = new Set<string>();
  for (const l of listeners) {
    if (!l.declared || l.name === undefined) continue;
    if (names.has(l.name)) repeated.add(l.name);
    names.add(l.name);
    const problem = portNameProblem(l.name);
    if (problem) {
      problems.push(`port name ${quote(l.name)} of ${describeContainer(l.owner)} is not an IANA service name: it ${problem}; `
        + 'rename it (for example "http", "metrics", "admin")');
    }
  }
  const byName = repeated.size > 0 ? groupBy(listeners.filter((l) => l.declared && l.name !== undefined), (l) => l.name!) : undefined;
  for (const name of repeated) {
    const group = byName!.get(name)!;
    problems.push(`port name ${quote(name)}: used by ${joinAnd(group.map(describeListener))}; `
      + 'a Service targetPort or probe that names a port must find exactly one: rename all but one');
  }
  return problems;
}

/** Every listener of the pod, in pod order: per container, its declared ports then its ledger ports. */
function collectListeners(pod: PodView, problems: string[]): Listener[] {
  const listeners: Listener[] = [];
  const boundBy = pod.boundPorts.length > 0 ? groupBy(pod.boundPorts, (b) => b.container) : undefined;
  for (const owner of pod.containers) {
    const start = listeners.length;
    for (const port of declaredPorts(owner)) {
      const problem = portNumberProblem(port.containerPort);
      if (problem) {
        problems.push(`port ${port.containerPort} of ${describeContainer(owner)} ${problem}`);
        continue;
      }
      listeners.push({
        owner,
        number: port.containerPort,
        protocol: port.protocol ?? 'TCP',
        declared: true,
        name: port.name,
        hostPort: port.hostPort,
        hostIp: port.hostIP,
      });
    }
    const declaredEnd = listeners.length;
    const sameIn = (from: number, to: number, number: number, protocol: string) => {
      for (let i = from; i < to; i++) if (listeners[i].number === number && listeners[i].protocol === protocol) return i;
      return -1;
    };
    for (const b of boundBy?.get(owner.name) ?? []) {
      // A bound port the container also declares is one listener, not two; it keeps the purpose.
      const declared = sameIn(start, declaredEnd, b.number, b.protocol);
      if (declared >= 0) {
        listeners[declared] = { ...listeners[declared], purpose: listeners[declared].purpose ?? b.purpose };
        continue;
      }
      listeners.push({ owner, number: b.number, protocol: b.protocol, declared: false, purpose: b.purpose, address: b.address });
    }
    // The ports its image is known to bind undeclared, unless it declares or binds them already.
    const known = knownUndeclaredPorts(owner);
    for (const k of known?.ports ?? []) {
      const purpose = `${known!.program.name} ${k.purpose}, by default`;
      const same = sameIn(start, listeners.length, k.number, k.protocol);
      if (same >= 0) {
        if (same < declaredEnd) listeners[same] = { ...listeners[same], purpose: listeners[same].purpose ?? purpose };
        continue;
      }
      listeners.push({ owner, number: k.number, protocol: k.protocol, declared: false, purpose, address: k.address });
    }
  }
  return listeners;
}

/**
 * A number for a port and protocol (`8080/TCP`), unique among valid ports: maps keyed by
 * small integers are cheaper than by strings, and the checks run for every pod.
 */
export function portId(number: number, protocol: string): number {
  return number + 65536 * (protocol === 'TCP' ? 0 : protocol === 'UDP' ? 1 : 2);
}

function describeListener(l: Listener): string {
  const details: string[] = [];
  if (l.purpose) details.push(l.purpose);
  if (l.declared) {
    details.push(l.name ? `containerPort ${quote(l.name)}` : 'containerPort');
  } else {
    details.push(`bound on ${l.address ?? '0.0.0.0'}, not declared`);
  }
  return `${describeContainer(l.owner)} [${details.join(', ')}]`;
}

function hintFor(pod: PodView, l: Listener): string | undefined {
  const hints = pod.portHints;
  for (let i = hints.length - 1; i >= 0; i--) {
    const h = hints[i];
    if (h.container === l.owner.name && h.number === l.number && h.protocol === l.protocol) return h.hint;
  }
  return undefined;
}
