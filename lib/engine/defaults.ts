/**
 * What every sidecar gets unless told otherwise: right-sized resources and a security
 * context that passes the Pod Security Standards "restricted" profile.
 */
import { Size, SizeRoundingBehavior } from 'cdk8s';
import { kplus } from './kplus';

/**
 * Resources of a sidecar that states none.
 *
 * cdk8s-plus gives every container 1 CPU / 512Mi requested and 1.5 CPU / 2Gi as limits,
 * sized for an application, not for a helper beside it: on a 100-replica Deployment a
 * sidecar with those requests reserves 100 CPUs that it never uses. A sidecar asks for
 * 50m / 64Mi and may burst to 500m / 256Mi; each helper narrows this to its program.
 */
export const SIDECAR_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(50), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

/**
 * The UID and GID a sidecar runs as when neither the helper nor the user names one.
 *
 * 65532 is the `nonroot` user of the distroless and Chainguard base images, the most common
 * non-root user of current images; any non-zero UID satisfies the restricted profile.
 */
export const DEFAULT_SIDECAR_USER = 65532;

// Shared by every sidecar: cdk8s-plus only reads them.
const DROP_ALL: kplus.ContainerSecutiryContextCapabilities = { drop: [kplus.Capability.ALL] };
const RUNTIME_DEFAULT: kplus.SeccompProfile = { type: kplus.SeccompProfileType.RUNTIME_DEFAULT };

/**
 * The restricted profile, per container: non-root with an explicit non-zero UID, no privilege
 * escalation, every capability dropped, the runtime's default seccomp profile, and a
 * read-only root filesystem (writable paths come from emptyDir volumes).
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 */
export function sidecarSecurityContext(
  given: kplus.ContainerSecurityContextProps = {},
  image: { user?: number; group?: number } = {},
  unrestricted = false,
): kplus.ContainerSecurityContextProps {
  const user = given.user ?? image.user ?? DEFAULT_SIDECAR_USER;
  const privileged = given.privileged ?? false;
  return {
    // Outside the restricted profile (the user's opt-in), the defaults follow the user's choice
    // instead of contradicting it: root runs without runAsNonRoot (the kubelet refuses both),
    // a privileged container without allowPrivilegeEscalation: false (the API server refuses both).
    ensureNonRoot: given.ensureNonRoot ?? !(unrestricted && user === 0),
    privileged,
    readOnlyRootFilesystem: given.readOnlyRootFilesystem ?? true,
    allowPrivilegeEscalation: given.allowPrivilegeEscalation ?? (unrestricted && privileged),
    user,
    group: given.group ?? (given.user === undefined ? image.group : undefined) ?? user,
    capabilities: given.capabilities ?? DROP_ALL,
    seccompProfile: given.seccompProfile ?? RUNTIME_DEFAULT,
  };
}

/**
 * Resources: each half (request or limit) of cpu, memory and ephemeral storage the user gives
 * replaces the default of that half; the other half keeps its default, and a default limit
 * below a given request is raised to it (a request alone never leaves the limit below it, nor
 * drops it). With none given, the defaults object itself (cdk8s-plus only reads it), so a fleet
 * of sidecars shares one.
 */
export function sidecarResources(
  given: kplus.ContainerResources | undefined,
  defaults: kplus.ContainerResources = SIDECAR_RESOURCES,
): kplus.ContainerResources {
  if (given === undefined) return defaults;
  const cpu = mergeHalves(given.cpu, defaults.cpu, (c) => cpuMillisOf(c));
  const memory = mergeHalves(given.memory, defaults.memory, sizeKibibytes);
  const ephemeralStorage = mergeHalves(given.ephemeralStorage, defaults.ephemeralStorage, sizeKibibytes);
  // Nothing taken from the defaults: the given object again.
  if (cpu === given.cpu && memory === given.memory && ephemeralStorage === given.ephemeralStorage) return given;
  return { cpu, memory, ephemeralStorage };
}

type Halves<T> = { readonly request?: T; readonly limit?: T };

/** The given halves over the default ones; a default limit below the given request becomes the request. */
function mergeHalves<T>(given: Halves<T> | undefined, defaults: Halves<T> | undefined, amount: (value: T) => number): Halves<T> | undefined {
  if (given === undefined) return defaults;
  if (defaults === undefined || (given.request !== undefined && given.limit !== undefined)) return given;
  if (given.request === undefined && given.limit === undefined) return defaults;
  const request = given.request ?? defaults.request;
  let limit = given.limit ?? defaults.limit;
  if (given.limit === undefined && request !== undefined && limit !== undefined && amount(limit) < amount(request)) limit = request;
  // A given limit below the default request: the request comes down to the limit (the API server
  // refuses a request above its limit); a given request above a given limit is refused at the call.
  let finalRequest = request;
  if (given.request === undefined && request !== undefined && limit !== undefined && amount(limit) < amount(request)) finalRequest = limit;
  return { request: finalRequest, limit };
}

function cpuMillisOf(cpu: kplus.Cpu): number {
  const amount = cpu.amount;
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) : Number(amount) * 1000;
}

function sizeKibibytes(size: Size): number {
  try {
    return size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  } catch {
    return NaN; // refused at the call (attach.ts)
  }
}
