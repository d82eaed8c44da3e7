import { Duration, Size } from 'cdk8s';
import { kplus } from '../engine/kplus';
import { keyedByValue } from '../engine/options-key';
import { SidecarMode } from '../engine/sidecar-mode';

/**
 * One key of a Kubernetes Secret, mounted as a file into the auth proxy only.
 */
export interface AuthProxySecretKey {
  /**
   * The Secret. One made in the chart (`new kplus.Secret(…)`) is checked at the call (the key
   * exists; the cookie secret's length); one imported by name is taken on trust and checked by
   * oauth2-proxy when the pod starts.
   */
  readonly secret: kplus.ISecret;

  /** The key of the Secret whose value is the file. */
  readonly key: string;
}

/**
 * The `SameSite` attribute of the session cookie.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Set-Cookie#samesitesamesite-value
 */
export enum CookieSameSite {
  /** Sent on top-level navigations from other sites (following a link), not on their sub-requests. */
  LAX = 'lax',
  /** Never sent on requests from other sites: a user following a link arrives signed out. */
  STRICT = 'strict',
  /** Sent on every request, cross-site included; needs `cookieSecure`. */
  NONE = 'none',
}

/** Options of a `SkipAuthRoute`. */
export interface SkipAuthRouteOptions {
  /**
   * The HTTP methods that skip authentication on this route, in capitals.
   * @default - every method
   */
  readonly methods?: string[];
}

/**
 * Requests that reach the app without signing in (oauth2-proxy `--skip-auth-route`): health
 * endpoints, public assets, webhooks that authenticate on their own. oauth2-proxy matches the
 * percent-decoded path without its query, and declines the exemption for ambiguous paths
 * (`..`, `//`, `;`, …) whatever the pattern says.
 *
 * @see https://oauth2-proxy.github.io/oauth2-proxy/configuration/overview#skip-auth-path-matching
 */
export class SkipAuthRoute {
  /**
   * Exactly this path (`/healthz`): `^/healthz$`.
   * @example SkipAuthRoute.path('/healthz', { methods: ['GET'] })
   */
  public static path(path: string, options: SkipAuthRouteOptions = {}): SkipAuthRoute {
    return new SkipAuthRoute('path', path, options.methods);
  }

  /**
   * Every path under this folder; it ends with `/` (`/static/`): `^/static/`.
   * @example SkipAuthRoute.prefix('/static/')
   */
  public static prefix(prefix: string, options: SkipAuthRouteOptions = {}): SkipAuthRoute {
    return new SkipAuthRoute('prefix', prefix, options.methods);
  }

  /**
   * A Go (RE2) regular expression over the path, anchored with `^` (an unanchored pattern would
   * also match `/admin/anything/healthz`).
   * @example SkipAuthRoute.regex('^/api/v[0-9]+/status$')
   */
  public static regex(pattern: string, options: SkipAuthRouteOptions = {}): SkipAuthRoute {
    return new SkipAuthRoute('regex', pattern, options.methods);
  }

  private constructor(
    /** How `value` is matched. */
    public readonly kind: 'path' | 'prefix' | 'regex',
    /** The path, prefix or pattern as given. */
    public readonly value: string,
    /** The methods, as given. */
    public readonly methods?: string[],
  ) {}
}

/**
 * How `withAuthProxy` puts oauth2-proxy in front of the app: OpenID Connect sign-in, a session
 * cookie, and the user's identity passed to the app in request headers.
 */
export interface AuthProxyOptions {
  /**
   * The OpenID Connect issuer (`--oidc-issuer-url`): oauth2-proxy reads
   * `<issuerUrl>/.well-known/openid-configuration` at start and checks that the issuer it names
   * is exactly this string. `https://` only; `http://` is accepted for a loopback host
   * (`localhost`, `127.0.0.1`, `[::1]`), an issuer in the pod itself.
   * @example 'https://accounts.google.com'
   */
  readonly issuerUrl: string;

  /**
   * The OAuth client ID (`--client-id`). Not a secret: it is in every sign-in redirect.
   */
  readonly clientId: string;

  /**
   * The OAuth client secret, read from a Secret as a file (`--client-secret-file`). oauth2-proxy
   * uses the file's bytes as they are: the value must have no trailing newline.
   */
  readonly clientSecret: AuthProxySecretKey;

  /**
   * The key that signs and encrypts the session cookie, read from a Secret as a file
   * (`--cookie-secret-file`). oauth2-proxy wants 16, 24 or 32 bytes: 32 random bytes, or
   * their URL-safe base64 (`openssl rand -base64 32 | tr -- '+/' '-_'`; standard base64 with
   * `+` or `/` is taken as 44 raw bytes and refused). A Secret made in the chart is checked at
   * synthesis; one imported by name only when the pod starts (oauth2-proxy then exits:
   * "cookie_secret from file must be 16, 24, or 32 bytes").
   */
  readonly cookieSecret: AuthProxySecretKey;

  /**
   * Who may sign in, by the domain of their email (`--email-domain`): `example.com`, or `*` for
   * any verified email the issuer vouches for. Give this, `allowedGroups`, or both.
   * @default - any domain, when `allowedGroups` is given
   */
  readonly emailDomains?: string[];

  /**
   * Who may sign in, by group (`--allowed-group`, read from the ID token's `groups` claim; the
   * `groups` scope is then asked for). Give this, `emailDomains`, or both.
   * @default - no group is required
   */
  readonly allowedGroups?: string[];

  /**
   * The OAuth redirect URL (`--redirect-url`) registered with the issuer, ending in
   * `/oauth2/callback`: `https://app.example.com/oauth2/callback`.
   * @default - built from each request: `https://` (with `cookieSecure`, whatever the
   *   request's scheme; else the request's), its Host (X-Forwarded-Host when it comes from a
   *   proxy of the pod), `/oauth2/callback`
   */
  readonly redirectUrl?: string;

  /**
   * OAuth scopes asked for (`--scope`).
   * @default - oauth2-proxy's for OIDC: `openid email profile` (plus `groups` with `allowedGroups`)
   */
  readonly scopes?: string[];

  /**
   * Requests that reach the app without signing in, besides the app's probe paths
   * (`skipAuthForProbes`).
   * @default - none
   */
  readonly skipAuthRoutes?: SkipAuthRoute[];

  /**
   * Let GET requests for the paths of the app's HTTP probes on `targetPort` through without
   * signing in (exact paths). Kubelet probes go to the app's port and never pass the auth
   * proxy; this is for load balancer health checks that come through the Service (AWS ALB
   * target groups, GKE Ingress health checks copied from the readiness probe).
   * @default true
   */
  readonly skipAuthForProbes?: boolean;

  /**
   * Pass the user to the app in `X-Forwarded-User`, `X-Forwarded-Email`,
   * `X-Forwarded-Groups` and `X-Forwarded-Preferred-Username` (`--pass-user-headers`).
   * oauth2-proxy replaces those headers when a client sends them. The app must then be
   * reachable only through the auth proxy (see docs/auth-proxy.md): anything that reaches the
   * app's port directly can send them.
   * @default true
   */
  readonly passUserHeaders?: boolean;

  /**
   * Pass the OAuth access token to the app in `X-Forwarded-Access-Token`
   * (`--pass-access-token`).
   * @default false
   */
  readonly passAccessToken?: boolean;

  /**
   * Pass the OIDC ID token to the app as `Authorization: Bearer …`
   * (`--pass-authorization-header`).
   * @default false
   */
  readonly passIdToken?: boolean;

  /**
   * Send the session cookie over HTTPS only (`--cookie-secure`). Turn it off only when the
   * browser reaches the app over plain HTTP (development).
   * @default true
   */
  readonly cookieSecure?: boolean;

  /**
   * The cookie's `SameSite` (`--cookie-samesite`).
   * @default CookieSameSite.LAX
   */
  readonly cookieSameSite?: CookieSameSite;

  /**
   * Domains to set the cookie for (`--cookie-domain`), to share a session across subdomains:
   * `.example.com`.
   * @default - the request's host only
   */
  readonly cookieDomains?: string[];

  /**
   * How long a session lasts (`--cookie-expire`).
   * @default Duration.days(7)
   */
  readonly cookieExpire?: Duration;

  /**
   * Refresh the session's tokens with the issuer after this long (`--cookie-refresh`); shorter
   * than `cookieExpire`. Set it below the access token's lifetime with `passAccessToken`.
   * @default - never refreshed
   */
  readonly cookieRefresh?: Duration;

  /**
   * How long oauth2-proxy waits for the app's response (`--upstream-timeout`).
   * @default Duration.seconds(30)
   */
  readonly upstreamTimeout?: Duration;

  /**
   * The port oauth2-proxy listens on (`--http-address=0.0.0.0:<port>`), declared as a named
   * containerPort; Services target it (see `exposeViaService`), or `withProxy`'s `target` does.
   * @default 4180
   */
  readonly port?: number;

  /**
   * The name of the containerPort.
   * @default 'auth-http'
   */
  readonly portName?: string;

  /**
   * The app's port oauth2-proxy forwards to, on 127.0.0.1 (`--upstream`). It must be a
   * containerPort of an app container.
   * @default - the single port the app containers declare
   */
  readonly targetPort?: number;

  /**
   * The container name.
   * @default 'auth-proxy'
   */
  readonly name?: string;

  /**
   * How the auth proxy joins the pod.
   * @default - the nearest `setDefaultSidecarMode`, else `SidecarMode.NATIVE`
   */
  readonly mode?: SidecarMode;

  /**
   * CPU and memory; each one given replaces the default for that one.
   * @default - cpu 25m request / 500m limit, memory 32Mi request / 128Mi limit
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The image, for a mirror of the pinned upstream image: the same program, running as
   * 65532:65532.
   * @default - the pinned upstream image (OAUTH2_PROXY_IMAGE in lib/engine/images.ts)
   */
  readonly image?: string;
}

/**
 * Options of `AuthProxy.exposeViaService`.
 */
export interface AuthProxyExposeViaServiceOptions {
  /**
   * The Service's name.
   * @default - generated by cdk8s
   */
  readonly name?: string;

  /**
   * @default kplus.ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;

  /**
   * The Service's port.
   * @default - the auth proxy's port
   */
  readonly port?: number;
}

/** Where the auth proxy's Secret files are mounted. */
export const AUTH_PROXY_PATHS = {
  clientSecret: '/etc/oauth2-proxy/client-secret',
  cookieSecret: '/etc/oauth2-proxy/cookie-secret',
} as const;

/**
 * oauth2-proxy is a small Go server: a few MiB of heap, CPU per request for cookie crypto. The
 * limit leaves room for bursts of sign-ins.
 */
export const AUTH_PROXY_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(25), limit: kplus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
};

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(SkipAuthRoute);
