import { describeContainer, PodView } from './pod-view';
import { quote } from './syntax';

/**
 * The volume sources the restricted profile allows.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted ("Volume Types")
 */
const ALLOWED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret', 'image']);
const SECCOMP = new Set(['RuntimeDefault', 'Localhost']);

/**
 * The Pod Security Standards "restricted" profile, as Pod Security Admission checks it (policy
 * version "latest"): an opt-in rule for manifests (`checkManifests(docs, { restricted: true })`,
 * the plugin's and the command's `restricted` option). The library's own sidecars are held to
 * it at the call (engine/attach.ts); this holds every container of a pod to it.
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * @see https://github.com/kubernetes/pod-security-admission/tree/master/policy
 */
export function checkRestrictedProfile(pod: PodView): string[] {
  const problems: string[] = [];
  const spec = pod.spec;
  const podContext: Record<string, any> = typeof spec.securityContext === 'object' && spec.securityContext !== null ? spec.securityContext : {};
  const host = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((f) => spec[f] === true);
  if (host.length > 0) problems.push(`the pod sets ${host.join(', ')}, which the restricted profile forbids; remove ${host.length > 1 ? 'them' : 'it'}`);
  for (const volume of pod.volumes) {
    if (volume.claim) continue;
    const source = Object.keys(volume.spec).find((k) => k !== 'name');
    if (source !== undefined && !ALLOWED_VOLUMES.has(source)) {
      problems.push(`volume ${quote(volume.name)} is a ${source} volume, which the restricted profile forbids; use an emptyDir, a ConfigMap, a Secret, `
        + 'a projected volume or a PersistentVolumeClaim');
    }
  }
  if (podContext.runAsUser === 0) problems.push('the pod sets runAsUser: 0, which the restricted profile forbids; run as a non-zero UID');
  const podSeccomp = podContext.seccompProfile?.type;
  for (const c of pod.containers) {
    const who = describeContainer(c);
    const context: Record<string, any> = c.spec.securityContext ?? {};
    const leaves: string[] = [];
    if (context.privileged === true) leaves.push('privileged: true');
    if (context.allowPrivilegeEscalation !== false) leaves.push('allowPrivilegeEscalation not false');
    const nonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
    if (nonRoot !== true) leaves.push('runAsNonRoot not true (container or pod)');
    if (context.runAsUser === 0) leaves.push('runAsUser: 0');
    const seccomp = context.seccompProfile?.type ?? podSeccomp;
    if (!SECCOMP.has(seccomp)) leaves.push(`seccompProfile ${seccomp === undefined ? 'unset' : seccomp} (container or pod)`);
    const capabilities = context.capabilities ?? {};
    if (!(Array.isArray(capabilities.drop) && capabilities.drop.includes('ALL'))) leaves.push('capabilities.drop without ALL');
    const added = (Array.isArray(capabilities.add) ? capabilities.add : []).filter((cap: unknown) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) leaves.push(`capabilities.add ${added.join(', ')}`);
    for (const port of Array.isArray(c.spec.ports) ? c.spec.ports : []) {
      if (port?.hostPort) leaves.push(`hostPort ${port.hostPort}`);
    }
    if (leaves.length > 0) {
      problems.push(`${who} leaves the restricted profile: ${leaves.join(', ')}; set securityContext to runAsNonRoot: true, `
        + 'allowPrivilegeEscalation: false, capabilities: { drop: [ALL] }, seccompProfile: { type: RuntimeDefault }, and no host ports');
    }
  }
  return problems;
}
