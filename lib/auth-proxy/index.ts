import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { clientSecretProblem, cookieSecretProblem, secretValueProblems } from './checks';
import { AuthProxyExposeViaServiceOptions, AuthProxyOptions } from './options';
import { planAuthProxy } from './plan';
import { attachProgram, checkProgram } from '../engine/attach';
import { checkOptions } from '../engine/input';
import { kplus, workloadLabel, workloadOrScope } from '../engine/kplus';
import { planFor } from '../engine/plan-cache';
import { IProxyTarget } from '../engine/proxy-target';
import { PodRegistry } from '../engine/registry';
import { exposeFrontViaService, retargetServiceToFront, ServedFront } from '../engine/service';
import { SidecarMode } from '../engine/sidecar-mode';

export * from './options';

/**
 * Props of the `AuthProxy` construct.
 */
export interface AuthProxyProps extends AuthProxyOptions {
  /**
   * The workload whose pods get the auth proxy: a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod. A cdk8s-plus workload, or an
   * ApiObject of one of these kinds or a ReplicaSet (a `KubeDeployment`, an Include's, a Helm chart's),
   * changed through JSON patches on its pod template (README, "Any pod, any source").
   * @default - the scope, which must then be a workload
   */
  readonly workload?: kplus.AbstractPod | ApiObject;
}

/**
 * oauth2-proxy in front of the app: OpenID Connect sign-in, a session cookie, and the user's
 * identity passed to the app in `X-Forwarded-*` headers.
 *
 * A sidecar (native by default) listening on `port`, forwarding to the app's `targetPort` on
 * 127.0.0.1. Its client secret and cookie secret are files of Secret volumes that only it
 * mounts. It answers its own probes (`/oauth2/ping`, `/oauth2/ready`). Put TLS in front of it
 * with `withProxy(workload, { target: authProxy, tls })`.
 *
 * @see https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview
 * @example
 * const auth = new AuthProxy(chart, 'auth-proxy', { workload: web, issuerUrl, clientId, clientSecret, cookieSecret, emailDomains: ['example.com'] });
 * auth.exposeViaService({ name: 'web' });
 */
export class AuthProxy extends Construct implements IProxyTarget {
  /** The oauth2-proxy container. */
  public readonly container: kplus.Container;

  /** How it joined the pod: native sidecar or classic container. */
  public readonly mode: SidecarMode;

  /** The Secret volumes it mounts: client secret, cookie secret. */
  public readonly volumes: kplus.Volume[];

  /** The port it listens on. */
  public readonly port: number;

  /** The name of its containerPort, which Services (or `withProxy`'s `target`) reach. */
  public readonly portName: string;

  /** The app's port it forwards to, on 127.0.0.1. */
  public readonly targetPort: number;

  /** The `--skip-auth-route` values it was given, the app's probe paths included. */
  public readonly skipAuthRoutes: string[];

  /** oauth2-proxy's arguments, as it receives them. */
  public readonly args: string[];

  /** oauth2-proxy speaks HTTP/1.1 to the app: no gRPC through it. */
  public readonly acceptsGrpc = false;

  /** The workload. */
  public readonly workload: kplus.AbstractPod | ApiObject;

  private readonly front: ServedFront;

  public constructor(scope: Construct, id: string, props: AuthProxyProps) {
    checkOptions(scope, 'withAuthProxy', 'AuthProxyProps', props);
    const workload = workloadOrScope(scope, id, props?.workload, 'AuthProxy');
    const registry = PodRegistry.of(workload);
    const plan = planFor(planAuthProxy, registry, props, 'withAuthProxy');
    const checked = checkProgram(registry, plan.program, scope, id);
    super(scope, id);
    const attached = attachProgram(this, checked);
    this.workload = workload;
    this.container = attached.container!;
    this.mode = attached.mode!;
    this.volumes = attached.volumes;
    this.port = plan.port;
    this.portName = plan.portName;
    this.targetPort = plan.targetPort;
    this.skipAuthRoutes = plan.skipAuthRoutes;
    this.args = plan.args;
    const where = `${workloadLabel(workload)}, withAuthProxy`;
    this.front = {
      registry,
      workload,
      where,
      variable: 'authProxy',
      port: plan.port,
      portName: plan.portName,
      servicePortName: 'http',
      standsFor: [plan.targetPort],
      standsForLabel: `the app's port ${plan.targetPort}`,
      serviceOptionsShape: 'AuthProxyExposeViaServiceOptions',
    };
    registry.addFront({
      name: this.container.name,
      purpose: plan.program.purpose,
      appPort: plan.targetPort,
      port: plan.port,
      portName: plan.portName,
      exclusive: true,
    });
    // The Secrets' values, when made in the chart, are read at synthesis: keys may be added later.
    this.node.addValidation({
      validate: () => [
        ...secretValueProblems('clientSecret', plan.clientSecret, clientSecretProblem),
        ...secretValueProblems('cookieSecret', plan.cookieSecret, cookieSecretProblem),
      ].map((problem) => `${where}: ${problem}`),
    });
  }

  /**
   * A Service that sends traffic through the auth proxy: its target port is the proxy's named
   * port. It selects the workload's pods. A `withProxy` given this auth proxy as its `target`
   * later takes the Service over.
   *
   * @example
   * withAuthProxy(web, { ... }).exposeViaService({ name: 'web', port: 80 });
   */
  public exposeViaService(options: AuthProxyExposeViaServiceOptions = {}): kplus.Service {
    return exposeFrontViaService(this, this.front, options);
  }

  /**
   * Points a Service the user already has at the auth proxy: every port of `service` whose
   * target is the app's port (`targetPort`) targets the auth proxy's named port instead; name
   * and port stay.
   *
   * `service` is a cdk8s-plus Service, or a plain ApiObject of kind Service (an Include's, a Helm
   * chart's), whose ports may also target the app's port by its name; its manifest is patched.
   *
   * @example
   * const service = web.exposeViaService({ name: 'web' }); // targets the app's 8080
   * withAuthProxy(web, { ... }).retargetService(service); // now targets "auth-http"
   */
  public retargetService(service: kplus.Service | ApiObject): void {
    retargetServiceToFront(this.front, service);
  }
}

/**
 * Puts oauth2-proxy in front of the app of `workload`: visitors sign in with the OpenID Connect
 * issuer, and only those of `emailDomains` / `allowedGroups` reach the app, which receives the
 * user in `X-Forwarded-User` / `-Email` / `-Groups`. Expose the workload through it with
 * `exposeViaService()`, or put TLS in front with `withProxy(workload, { target })`.
 *
 * @see https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview
 * @example
 * const web = new kplus.Deployment(chart, 'web', {
 *   containers: [{ name: 'app', image: 'ghcr.io/acme/web:1.4.2', portNumber: 8080 }],
 * });
 * const oidc = kplus.Secret.fromSecretName(chart, 'oidc', 'web-oidc');
 * const auth = withAuthProxy(web, {
 *   issuerUrl: 'https://login.example.com/realms/acme',
 *   clientId: 'web',
 *   clientSecret: { secret: oidc, key: 'client-secret' },
 *   cookieSecret: { secret: oidc, key: 'cookie-secret' },
 *   emailDomains: ['example.com'],
 * });
 * withProxy(web, { target: auth, tls: { secret: tlsSecret } }).exposeViaService({ name: 'web', port: 443 });
 */
export function withAuthProxy(workload: kplus.AbstractPod | ApiObject, options: AuthProxyOptions): AuthProxy {
  // The construct checks the options (checkOptions, for JavaScript callers) before anything else.
  return new AuthProxy(workload, options?.name ?? 'auth-proxy', options);
}
