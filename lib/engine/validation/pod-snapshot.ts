import { containerEnv, containerPorts, kplus, Workload } from '../kplus';

/**
 * Everything the whole-pod checks read, by identity: the containers and init containers in
 * order, each one's declared ports and mounts, the pod's volumes, and the registry's version
 * (a counter of every change to what the library recorded: sidecars, tasks, ledger ports,
 * hints, shared volumes, folders, Services).
 *
 * cdk8s validates the whole app in `app.synth()`, and again in every `chart.toJson()` that
 * synth calls (cdk8s `App._synthChart`), so a pod would be checked once more per chart. The
 * checks' result is reused while the snapshot is the same.
 *
 * Identity is enough: cdk8s-plus only appends containers, ports, mounts and volumes, their
 * fields are readonly, and a Container's name, image and restartPolicy are fixed at construction
 * (test/engine/kplus.test.ts fails if a cdk8s-plus release stops keeping to that).
 */
export function podSnapshot(workload: Workload, version: number, watchEnv: readonly string[] = []): unknown[] {
  const init = workload.initContainers;
  const regular = workload.containers;
  const volumes = workload.volumes;
  // Labels are read by value: the pod template's labels can be added to after the call.
  const snapshot: unknown[] = [version, JSON.stringify(workload.podMetadata.toJson().labels), init.length, regular.length, volumes.length];
  addContainers(snapshot, init);
  addContainers(snapshot, regular);
  snapshot.push(...volumes);
  // The environment of containers whose settings a rule watches (validation/forbidden.ts), by
  // value: a user may add variables through the container's handle after the call.
  for (const name of watchEnv) {
    const container = [...init, ...regular].find((c) => c.name === name);
    if (container) snapshot.push(JSON.stringify(containerEnv(container)));
  }
  return snapshot;
}

/** True when two snapshots hold the same things in the same places. */
export function sameSnapshot(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function addContainers(snapshot: unknown[], containers: readonly kplus.Container[]): void {
  for (const container of containers) {
    const ports = containerPorts(container);
    const mounts = container.mounts;
    snapshot.push(container, ports.length, mounts.length, ...ports, ...mounts);
  }
}
