import { BoundPort } from './bound-port';
import { sidecarResources, sidecarSecurityContext } from './defaults';
import { kplus, Workload } from './kplus';
import { MessagePrefix, PodRegistry } from './pod-registry';

/**
 * A plain init container that a helper adds to run once before the app (a first sync, a
 * migration): the sidecar defaults (restricted security context, small resources,
 * `IfNotPresent` pulls), its name claimed in the pod, and known to the whole-pod checks, which
 * compare the ports it binds with the native sidecars already running when it starts.
 *
 * Internal to the helpers: users add their own init containers with cdk8s-plus.
 */
export function addOneTimeContainer(
  workload: Workload,
  where: MessagePrefix,
  props: kplus.ContainerProps & { readonly name: string },
  purpose: string,
  boundPorts: BoundPort[] = [],
): kplus.Container {
  const registry = PodRegistry.of(workload);
  registry.claimName(where, props.name);
  const container = workload.addInitContainer({
    ...props,
    imagePullPolicy: props.imagePullPolicy ?? kplus.ImagePullPolicy.IF_NOT_PRESENT,
    resources: sidecarResources(props.resources),
    securityContext: sidecarSecurityContext(props.securityContext),
  });
  registry.addTask(container, { purpose });
  registry.bindPorts(props.name, boundPorts);
  return container;
}
