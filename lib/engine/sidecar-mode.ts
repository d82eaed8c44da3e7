import { Construct, IConstruct } from 'constructs';
import { describeValue, quote } from './validation/syntax';

/**
 * How a sidecar joins the pod.
 */
export enum SidecarMode {
  /**
   * A Kubernetes native sidecar: an init container with `restartPolicy: Always`.
   *
   * It starts before the app containers (and, with a startup probe, holds them until it is
   * ready), keeps running beside them, stops after they exit, and does not keep a Job from
   * completing. Needs Kubernetes 1.29 or later (1.28 only with the `SidecarContainers`
   * feature gate: without it the API server drops `restartPolicy` and the pod hangs in Init).
   *
   * @see https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
   */
  NATIVE = 'native',

  /**
   * A regular container beside the app. Works on every Kubernetes version, but starts in no
   * particular order with the app and never lets a Job complete.
   */
  CLASSIC = 'classic',
}

const defaults = new WeakMap<IConstruct, SidecarMode>();
const consulted = new WeakSet<IConstruct>();

/**
 * Sets the mode of every sidecar attached under `scope` (an App, a Chart, or any construct)
 * that does not choose its own.
 *
 * Use `SidecarMode.CLASSIC` for clusters older than Kubernetes 1.29 whose API server does not
 * have the `SidecarContainers` feature gate turned on. Call it right after creating the App or
 * Chart, before attaching sidecars; the nearest enclosing setting wins.
 *
 * @example
 * const app = new App();
 * setDefaultSidecarMode(app, SidecarMode.CLASSIC); // Kubernetes 1.28 without the feature gate
 */
export function setDefaultSidecarMode(scope: IConstruct, mode: SidecarMode): void {
  // JavaScript callers have no compiler to hold them to the types: refuse here, not later.
  if (!Construct.isConstruct(scope)) {
    throw new Error(`setDefaultSidecarMode: the scope must be a construct (an App, a Chart or any construct), got ${describeValue(scope)}`);
  }
  if (!Object.values(SidecarMode).includes(mode)) {
    throw new Error(`setDefaultSidecarMode(${quote(describeScope(scope))}, …): the mode must be SidecarMode.NATIVE or SidecarMode.CLASSIC `
      + `(got ${describeValue(mode)})`);
  }
  if (consulted.has(scope)) {
    throw new Error(`setDefaultSidecarMode(${quote(describeScope(scope))}, ${mode}): sidecars were already attached under `
      + `${quote(describeScope(scope))} with the previous default; call setDefaultSidecarMode right after creating `
      + 'the App or Chart, before any withSidecar/withLogShipper/withProxy/withConfigSync');
  }
  defaults.set(scope, mode);
}

/**
 * The mode a sidecar attached to `construct` gets when it does not choose one: the nearest
 * setting of `setDefaultSidecarMode` above it, else `SidecarMode.NATIVE`.
 *
 * @internal
 */
export function defaultSidecarMode(construct: IConstruct): SidecarMode {
  for (let scope: IConstruct | undefined = construct; scope; scope = scope.node.scope) {
    consulted.add(scope);
    const mode = defaults.get(scope);
    if (mode !== undefined) {
      return mode;
    }
  }
  return SidecarMode.NATIVE;
}

function describeScope(scope: IConstruct): string {
  return scope.node.path || '<app>';
}
