import { IConstruct } from 'constructs';

/**
 * The pod as cdk8s-plus renders it, checked once: every volumeMount names a volume of the pod,
 * and every port a probe or a Service of ours targets by name is a port some container declares.
 *
 * The other rules read the constructs; this reads the pod spec cdk8s-plus builds for the manifest
 * (kplus.ts `builtPodSpec`; for an ApiObject, its manifest: pod-target.ts `renderedPodSpec`), so that a
 * rendering change in cdk8s-plus (a line that drops the
 * `volumes` of some workloads, say) can never produce a pod that mounts a volume it does not have.
 * Runs only when the rules found nothing.
 */
export function checkRenderedPod(
  render: () => { readonly podSpec: any; readonly volumeClaimTemplates: any[] },
  services: ReadonlyArray<{ readonly service: IConstruct; readonly portName: string }>,
): string[] {
  let spec: any;
  let claims: any[];
  try {
    ({ podSpec: spec, volumeClaimTemplates: claims } = render());
  } catch (e) {
    return [`cdk8s-plus could not render the pod: ${(e as Error).message}`];
  }
  const problems: string[] = [];
  const containers: any[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  const volumes = new Set<string>((spec?.volumes ?? []).map((v: { name: string }) => v.name));
  // A StatefulSet's volumeClaimTemplates are volumes of each pod, under the template's name.
  for (const template of claims) volumes.add(template?.metadata?.name);
  const portNames = new Set<string>(containers.flatMap((c) => (c.ports ?? []).map((p: { name?: string }) => p.name)).filter(Boolean));
  for (const c of containers) {
    for (const mount of c.volumeMounts ?? []) {
      if (!volumes.has(mount.name)) {
        problems.push(`the rendered pod mounts volume "${mount.name}" at "${mount.mountPath}" in container "${c.name}", but has no volume `
          + 'of that name (cdk8s-plus left it out); the pod would be rejected: please report it, with the cdk8s-plus version');
      }
    }
    for (const [field, probe] of [['startupProbe', c.startupProbe], ['livenessProbe', c.livenessProbe], ['readinessProbe', c.readinessProbe]]) {
      const target = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
      const port = typeof target === 'object' && target !== null ? target.value : target;
      if (typeof port === 'string' && !portNames.has(port)) {
        problems.push(`the ${field} of container "${c.name}" targets the port named "${port}", which no container of the pod declares; `
          + 'declare the port with that name, or probe a port number');
      }
    }
  }
  for (const { service, portName } of services) {
    if (!portNames.has(portName)) {
      problems.push(`Service "${service.node.path}" targets the port named "${portName}", which no container of the pod declares; `
        + 'the Service would reach nothing: keep the port, or remove the Service');
    }
  }
  return problems;
}
