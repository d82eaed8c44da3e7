/**
 * The whole-pod rules over manifests: every pod template of a list of Kubernetes objects (the
 * output of `cdk8s synth`, `helm template`, `kustomize build`, `kubectl get -o yaml`), whoever
 * wrote it. What the cdk8s validation plugin (plugin.ts) and the `cdk8s-sidecars check` command
 * (cli.ts) run. Loads no cdk8s-plus.
 */
import { atPointer, POD_PLACES } from './pod-kinds';
import { MANIFEST_RULES, PodRule, RESTRICTED_RULE } from './validation';
import { KubePodSpec, podViewFromSpec } from './validation/pod-view';

/** Options of `checkManifests`. */
export interface CheckManifestsOptions {
  /**
   * Also hold every container to the Pod Security Standards "restricted" profile.
   * @default false
   */
  readonly restricted?: boolean;
}

/** The object a finding is about. */
export interface ManifestResource {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** One problem of one pod template. */
export interface ManifestFinding {
  readonly resource: ManifestResource;
  /** The document's index in the input (from 0); an item of a `kind: List` has its List's index. */
  readonly documentIndex: number;
  /** The item's index in its `kind: List`, when it is one. */
  readonly itemIndex?: number;
  /** Where the pod spec is in the document: `spec.template.spec`, `items[2].spec`. */
  readonly path: string;
  /** The rule that found it: `ports`, `mounts`, `probes`, … */
  readonly rule: string;
  /** What is wrong, naming the containers, ports, volumes. */
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
  readonly severity: 'error' | 'warning';
}

/** What `checkManifests` found, and what it read. */
export interface ManifestReport {
  readonly findings: ManifestFinding[];
  /** The pod templates checked. */
  readonly pods: number;
  /** The objects that hold no pod template (Services, ConfigMaps, unknown kinds), by kind. */
  readonly skipped: Readonly<Record<string, number>>;
}

/** The kinds whose pod templates the rules read (pod-kinds.ts says where each keeps it). */
export const POD_KINDS: readonly string[] = Object.keys(POD_PLACES);

/**
 * Runs the whole-pod rules over every pod template in `docs` (parsed manifests, in input order;
 * `kind: List` objects are read item by item). Objects without a pod template are skipped and
 * counted by kind.
 */
export function checkManifests(docs: readonly unknown[], options: CheckManifestsOptions = {}): ManifestReport {
  const rules: readonly PodRule[] = options.restricted ? [...MANIFEST_RULES, RESTRICTED_RULE] : MANIFEST_RULES;
  const findings: ManifestFinding[] = [];
  const skipped: Record<string, number> = {};
  let pods = 0;
  const skip = (kind: string): void => {
    skipped[kind] = (skipped[kind] ?? 0) + 1;
  };
  const check = (object: unknown, documentIndex: number, itemIndex?: number): void => {
    if (typeof object !== 'object' || object === null || Array.isArray(object)) return skip('(not an object)');
    const o = object as Record<string, any>;
    const kind = typeof o.kind === 'string' ? o.kind : '(no kind)';
    if (kind === 'List' || (kind.endsWith('List') && Array.isArray(o.items))) {
      (Array.isArray(o.items) ? o.items : []).forEach((item: unknown, i: number) => check(item, documentIndex, i));
      return;
    }
    const place = POD_PLACES[kind];
    if (place === undefined) return skip(kind);
    const spec = atPointer(o, place.specPointer);
    if (typeof spec !== 'object' || spec === null) return skip(kind);
    pods++;
    const claims = kind === 'StatefulSet' && Array.isArray(o.spec?.volumeClaimTemplates)
      ? o.spec.volumeClaimTemplates.map((t: any) => t?.metadata?.name).filter((n: unknown): n is string => typeof n === 'string')
      : [];
    const labels = atPointer(o, `${place.metadataPointer}/labels`);
    const view = podViewFromSpec(kind, spec as KubePodSpec, typeof labels === 'object' && labels !== null ? labels as Record<string, string> : {}, claims);
    const path = `${itemIndex === undefined ? '' : `items[${itemIndex}].`}${place.specPointer.slice(1).replace(/\//g, '.')}`;
    const resource: ManifestResource = {
      apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : undefined,
      kind,
      namespace: typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : undefined,
      name: typeof o.metadata?.name === 'string' ? o.metadata.name : '(no name)',
    };
    for (const rule of rules) {
      for (const problem of rule.check(view)) {
        const { message, fix } = splitFix(problem);
        findings.push({ resource, documentIndex, itemIndex, path, rule: rule.id, message, fix, severity: 'error' });
      }
    }
  };
  docs.forEach((doc, i) => check(doc, i));
  return { findings, pods, skipped };
}

/** A rule's problem is `what is wrong; the fix`: split at the last `; `. */
export function splitFix(problem: string): { readonly message: string; readonly fix: string } {
  const at = problem.lastIndexOf('; ');
  return at < 0 ? { message: problem, fix: '' } : { message: problem.slice(0, at), fix: problem.slice(at + 2) };
}

/** `Deployment default/web`, `Pod web`: how a finding names its object. */
export function describeResource(resource: ManifestResource): string {
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
}
