/**
 * The Pod Security Standards "restricted" profile, as Pod Security Admission checks it
 * (policy version "latest"), for use on synthesized manifests.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
 * @see https://github.com/kubernetes/pod-security-admission/tree/master/policy
 */

const ALLOWED_VOLUME_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret', 'image'];

/** The pod spec of a workload manifest, whatever its kind. */
export function podSpecOf(manifest: any): any {
  switch (manifest.kind) {
    case 'Pod': return manifest.spec;
    case 'CronJob': return manifest.spec.jobTemplate.spec.template.spec;
    default: return manifest.spec.template.spec;
  }
}

/** Every container of a pod spec, init containers first. */
export function allContainers(spec: any): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/**
 * Problems the restricted profile finds in a pod spec: pod-level ones, and those of the named
 * containers (all when `only` is omitted).
 */
export function restrictedProblems(spec: any, only?: string[]): string[] {
  const problems: string[] = [];
  const pod = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push('pod: host namespaces are forbidden');
  for (const volume of spec.volumes ?? []) {
    const source = Object.keys(volume).find((k) => k !== 'name');
    if (!source || !ALLOWED_VOLUME_SOURCES.includes(source)) problems.push(`volume "${volume.name}": ${source} volumes are forbidden`);
  }
  if (pod.runAsNonRoot === false) problems.push('pod: runAsNonRoot must not be false');
  if (pod.runAsUser === 0) problems.push('pod: runAsUser must not be 0');
  const podSeccomp = pod.seccompProfile?.type;
  if (podSeccomp !== undefined && !['RuntimeDefault', 'Localhost'].includes(podSeccomp)) problems.push(`pod: seccompProfile ${podSeccomp} is forbidden`);

  for (const c of allContainers(spec)) {
    if (only && !only.includes(c.name)) continue;
    const sc = c.securityContext ?? {};
    const who = `container "${c.name}"`;
    if (sc.privileged) problems.push(`${who}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${who}: allowPrivilegeEscalation must be false`);
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot !== true && pod.runAsNonRoot !== true)) problems.push(`${who}: runAsNonRoot must be true (container or pod)`);
    if (sc.runAsUser === 0) problems.push(`${who}: runAsUser must not be 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) problems.push(`${who}: seccompProfile must be RuntimeDefault or Localhost (has ${seccomp})`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${who}: capabilities.drop must include ALL`);
    const added = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    if (added.length > 0) problems.push(`${who}: capabilities.add may only hold NET_BIND_SERVICE (has ${added.join(', ')})`);
    for (const port of c.ports ?? []) {
      if (port.hostPort) problems.push(`${who}: hostPort ${port.hostPort} is forbidden`);
    }
  }
  return problems;
}
