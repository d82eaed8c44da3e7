import { kplus } from './kplus';

/**
 * A port the sidecar program listens on without a `containerPort` declaring it: an admin,
 * metrics or health endpoint. Kubernetes cannot see it, so two containers binding it only
 * meet at run time, in a CrashLoopBackOff. The pod's port ledger keeps it, and the synth-time
 * checks compare it with every other port of the pod.
 */
export interface BoundPort {
  /** The port number, 1 to 65535. */
  readonly number: number;

  /**
   * @default kplus.Protocol.TCP
   */
  readonly protocol?: kplus.Protocol;

  /**
   * What listens there, shown in error messages (for example `Envoy admin`).
   * @default - none
   */
  readonly purpose?: string;

  /**
   * The address the program binds. A port bound to `127.0.0.1` is reachable from inside the pod
   * only. Either way it takes the port from every other container of the pod, which shares one
   * network namespace.
   * @default '0.0.0.0'
   */
  readonly address?: string;
}
