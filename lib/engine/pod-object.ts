/**
 * The Kubernetes kinds that carry a pod template, and where each keeps it: what the library
 * needs to attach to a plain cdk8s `ApiObject` (a class of `cdk8s import k8s`, an `Include`d
 * manifest, a `Helm` chart's object). Imports no cdk8s-plus.
 *
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/ (pod templates of each kind)
 */
import { ApiObject } from 'cdk8s';
import { atPointer, PodPlace, POD_PLACES } from './pod-kinds';
import { quote } from './validation/syntax';

/** A kind the library attaches to: where it keeps its pod, and the API versions it is served under. */
export interface PodKind extends PodPlace {
  readonly kind: string;
  /** The API versions it is served under (apps/v1 since Kubernetes 1.9, batch/v1 for CronJob since 1.21). */
  readonly apiVersions: readonly string[];
}

const kindOf = (kind: string, apiVersion: string): PodKind => ({ kind, apiVersions: [apiVersion], ...POD_PLACES[kind] });

/** Every kind the library attaches to, by `kind`. */
export const POD_KINDS: Readonly<Record<string, PodKind>> = {
  Deployment: kindOf('Deployment', 'apps/v1'),
  StatefulSet: kindOf('StatefulSet', 'apps/v1'),
  DaemonSet: kindOf('DaemonSet', 'apps/v1'),
  ReplicaSet: kindOf('ReplicaSet', 'apps/v1'),
  Job: kindOf('Job', 'batch/v1'),
  CronJob: kindOf('CronJob', 'batch/v1'),
  Pod: kindOf('Pod', 'v1'),
};

/** `Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod`. */
export const POD_KIND_LIST = 'Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod';

/** `Deployment "chart/web"`: how messages name an ApiObject workload. */
export function apiObjectLabel(apiObject: ApiObject): string {
  return `${apiObject.kind} ${quote(apiObject.node.path)}`;
}

/** A key as one step of a JSON pointer (RFC 6901: `~` is `~0`, `/` is `~1`). */
export function pointerKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * Why the library cannot attach to `apiObject`, or undefined when it can: a kind without a pod,
 * an API version the kind is not served under, a pod template without a pod spec, or a pod spec
 * without a `containers` list. Reads `apiObject.toJson()`, which applies the object's JSON patches.
 */
export function podObjectProblem(apiObject: ApiObject, json: unknown): string | undefined {
  const what = `the ApiObject ${quote(apiObject.node.path)} (kind ${apiObject.kind}, apiVersion ${apiObject.apiVersion})`;
  const kind = POD_KINDS[apiObject.kind];
  if (!kind) {
    return `${what} has no pod to attach to; pass a ${POD_KIND_LIST}: a cdk8s-plus workload, or an ApiObject of one of these kinds `
      + '(from `cdk8s import k8s`, an Include or a Helm chart: helm.apiObjects.find((o) => o.kind === \'Deployment\'))';
  }
  if (!kind.apiVersions.includes(apiObject.apiVersion)) {
    return `${what}: a ${kind.kind} is attached to as ${kind.apiVersions.join(' or ')}; `
      + `give the object apiVersion ${kind.apiVersions[0]} (the only one current Kubernetes serves)`;
  }
  if (kind.kind === 'CronJob' && typeof atPointer(json, '/spec/jobTemplate/spec/template') !== 'object') {
    return `${what} has no job template (spec.jobTemplate.spec.template); give the CronJob its job template with a pod spec`;
  }
  const spec = atPointer(json, kind.specPointer);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return `${what} has no pod spec at ${kind.specPointer.slice(1).replace(/\//g, '.')}; give the ${kind.kind} its pod template`;
  }
  const containers = (spec as { containers?: unknown }).containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    return `${what} has no containers at ${kind.specPointer.slice(1).replace(/\//g, '.')}.containers; `
      + 'add the app container to the object before attaching a sidecar';
  }
  for (const [i, c] of containers.entries()) {
    if (typeof c !== 'object' || c === null || typeof (c as { name?: unknown }).name !== 'string') {
      return `${what}: container ${i} has no name; give every container a name`;
    }
  }
  return undefined;
}
