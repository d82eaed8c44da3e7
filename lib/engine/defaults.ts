/**
 * What every sidecar gets unless told otherwise: right-sized resources and a security
 * context that passes the Pod Security Standards "restricted" profile.
 */
import { Size } from 'cdk8s';
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
): kplus.ContainerSecurityContextProps {
  const user = given.user ?? image.user ?? DEFAULT_SIDECAR_USER;
  return {
    ensureNonRoot: given.ensureNonRoot ?? true,
    privileged: given.privileged ?? false,
    readOnlyRootFilesystem: given.readOnlyRootFilesystem ?? true,
    allowPrivilegeEscalation: given.allowPrivilegeEscalation ?? false,
    user,
    group: given.group ?? (given.user === undefined ? image.group : undefined) ?? user,
    capabilities: given.capabilities ?? DROP_ALL,
    seccompProfile: given.seccompProfile ?? RUNTIME_DEFAULT,
  };
}

/**
 * Resources: each of cpu, memory and ephemeral storage the user gives replaces the default for
 * that one. With none given, the defaults object itself (cdk8s-plus only reads it), so a fleet
 * of sidecars shares one.
 */
export function sidecarResources(
  given: kplus.ContainerResources | undefined,
  defaults: kplus.ContainerResources = SIDECAR_RESOURCES,
): kplus.ContainerResources {
  if (given === undefined) return defaults;
  const cpu = given.cpu ?? defaults.cpu;
  const memory = given.memory ?? defaults.memory;
  const ephemeralStorage = given.ephemeralStorage ?? defaults.ephemeralStorage;
  // Nothing taken from the defaults: the given object again.
  if (cpu === given.cpu && memory === given.memory && ephemeralStorage === given.ephemeralStorage) return given;
  return { cpu, memory, ephemeralStorage };
}
