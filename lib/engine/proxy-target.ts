import { ApiObject } from 'cdk8s';
import { kplus } from './kplus';

/**
 * A sidecar that takes the app's traffic on a named port and forwards it to the app: what
 * `withProxy`'s `target` accepts, so that the proxy forwards to it instead of to the app
 * (TLS at the proxy, then authentication, then the app). `withAuthProxy` returns one.
 *
 * @example
 * const auth = withAuthProxy(web, { ... });
 * withProxy(web, { target: auth, tls: { secret } }).exposeViaService({ name: 'web', port: 443 });
 */
export interface IProxyTarget {
  /** The workload whose pods run it. */
  readonly workload: kplus.AbstractPod | ApiObject;

  /** Its container. */
  readonly container: kplus.Container;

  /** The port it listens on (a containerPort of its container). */
  readonly port: number;

  /** The name of that containerPort. */
  readonly portName: string;

  /** The app's port it forwards to, on 127.0.0.1. */
  readonly targetPort: number;

  /**
   * It passes HTTP/2 in cleartext (h2c), as gRPC needs, through to the app.
   */
  readonly acceptsGrpc: boolean;
}
