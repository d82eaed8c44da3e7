/**
 * The parts of a Kubernetes PodSpec the whole-pod rules read, spelled as in a manifest (the
 * Kubernetes API's JSON field names). Plain types, importing nothing: the cdk8s-plus adapter
 * (engine/kplus.ts) converts what cdk8s-plus builds into them, and a manifest already is one.
 * @see https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#PodSpec
 */

/** A `containers[].ports[]` entry, as in the manifest. */
export interface KubeContainerPort {
  readonly containerPort: number;
  readonly protocol?: string;
  readonly name?: string;
  readonly hostPort?: number;
  readonly hostIP?: string;
}

/** A `containers[].volumeMounts[]` entry, as in the manifest. */
export interface KubeVolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly subPath?: string;
  readonly subPathExpr?: string;
  readonly readOnly?: boolean;
}

/** A probe, as in the manifest: the network targets the rules read (an `exec` probe has none). */
export interface KubeProbe {
  readonly httpGet?: { readonly port?: number | string; readonly path?: string };
  readonly tcpSocket?: { readonly port?: number | string };
  readonly grpc?: { readonly port?: number };
  readonly [field: string]: unknown;
}

/** A container or init container, as in the manifest (the fields the rules read, and any others). */
export interface KubeContainer {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly ports?: readonly KubeContainerPort[];
  readonly volumeMounts?: readonly KubeVolumeMount[];
  readonly env?: ReadonlyArray<{ readonly name: string; readonly [field: string]: unknown }>;
  readonly envFrom?: readonly unknown[];
  readonly restartPolicy?: string;
  readonly startupProbe?: KubeProbe;
  readonly livenessProbe?: KubeProbe;
  readonly readinessProbe?: KubeProbe;
  readonly securityContext?: Readonly<Record<string, any>>;
  readonly [field: string]: unknown;
}

/** A pod volume, as in the manifest: its name and one source (`emptyDir`, `configMap`, …). */
export interface KubeVolume {
  readonly name: string;
  readonly [source: string]: unknown;
}

/** A PodSpec, as in the manifest. */
export interface KubePodSpec {
  readonly containers?: readonly KubeContainer[];
  readonly initContainers?: readonly KubeContainer[];
  readonly volumes?: readonly KubeVolume[];
  readonly [field: string]: unknown;
}
