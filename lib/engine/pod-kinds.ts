/**
 * Where each Kubernetes kind that carries a pod keeps it: the pod spec and the pod's metadata as
 * JSON pointers into its manifest, and whether its pods run to completion. One table for the
 * attach to a plain `ApiObject` (pod-object.ts), the rules over plain manifests (manifests.ts) and
 * the pod view (validation/pod-view.ts). Imports nothing, so the check command and the plugin load
 * neither cdk8s nor cdk8s-plus through it.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/ (pod templates of each kind)
 */

/** Where a kind keeps its pod. */
export interface PodPlace {
  /** The pod spec: `/spec/template/spec`, `/spec/jobTemplate/spec/template/spec`, `/spec`. */
  readonly specPointer: string;
  /** The pod's metadata: `/spec/template/metadata`, …, `/metadata` for a bare Pod. */
  readonly metadataPointer: string;
  /** Its pods run to completion (Job, CronJob). */
  readonly runsToCompletion: boolean;
}

const TEMPLATE = { specPointer: '/spec/template/spec', metadataPointer: '/spec/template/metadata' };

/** Every kind that carries a pod, by `kind`, in the order the check command lists them. */
export const POD_PLACES: Readonly<Record<string, PodPlace>> = {
  Pod: { specPointer: '/spec', metadataPointer: '/metadata', runsToCompletion: false },
  PodTemplate: { specPointer: '/template/spec', metadataPointer: '/template/metadata', runsToCompletion: false },
  Deployment: { ...TEMPLATE, runsToCompletion: false },
  StatefulSet: { ...TEMPLATE, runsToCompletion: false },
  DaemonSet: { ...TEMPLATE, runsToCompletion: false },
  ReplicaSet: { ...TEMPLATE, runsToCompletion: false },
  ReplicationController: { ...TEMPLATE, runsToCompletion: false },
  Job: { ...TEMPLATE, runsToCompletion: true },
  CronJob: {
    specPointer: '/spec/jobTemplate/spec/template/spec',
    metadataPointer: '/spec/jobTemplate/spec/template/metadata',
    runsToCompletion: true,
  },
};

/** The value at a JSON pointer of `json` (`/spec/template/spec`), or undefined. */
export function atPointer(json: unknown, pointer: string): unknown {
  let value: unknown = json;
  for (const key of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}
