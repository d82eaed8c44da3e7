import { Duration, Size } from 'cdk8s';
import { ENVOY_IMAGE, NGINX_IMAGE, UpstreamImage } from '../engine/images';
import { checkFactoryOptions } from '../engine/input';
import { kplus } from '../engine/kplus';
import { keyedByValue } from '../engine/options-key';
import { IProxyTarget } from '../engine/proxy-target';
import { SidecarMode } from '../engine/sidecar-mode';

/**
 * The program that runs the proxy.
 */
export class ProxyEngine {
  /**
   * Envoy (`envoyproxy/envoy`), configured by a static v3 bootstrap. Its admin interface
   * listens on 127.0.0.1 only (`adminPort`).
   * @see https://www.envoyproxy.io/docs/envoy/latest/
   */
  public static readonly ENVOY = new ProxyEngine('envoy', 'Envoy', ENVOY_IMAGE, 'envoy.yaml');

  /**
   * nginx built to run as non-root (`nginxinc/nginx-unprivileged`), configured by a generated
   * nginx.conf.
   * @see https://nginx.org/en/docs/
   */
  public static readonly NGINX = new ProxyEngine('nginx', 'nginx', NGINX_IMAGE, 'nginx.conf');

  private constructor(
    /** Short name, used in resource names. */
    public readonly name: string,
    /** The program's name, as messages show it. */
    public readonly displayName: string,
    /** The pinned upstream image. */
    public readonly image: UpstreamImage,
    /** The configuration file's name in the ConfigMap. */
    public readonly configFile: string,
  ) {}
}

/**
 * The protocol the proxy speaks to the app.
 */
export enum UpstreamProtocol {
  /** HTTP/1.1 (WebSocket upgrades pass through). */
  HTTP1 = 'HTTP/1.1',
  /**
   * HTTP/2 in cleartext (h2c), as gRPC servers speak it. Clients reach the proxy over HTTP/2:
   * by ALPN with TLS, with prior knowledge without.
   */
  GRPC = 'gRPC',
}

/**
 * TLS termination at the proxy.
 */
export interface ProxyTls {
  /**
   * A Secret of type `kubernetes.io/tls` (keys `tls.crt` and `tls.key`), mounted read-only into
   * the proxy only. A `kplus.TlsSecret`, or a `kplus.Secret` whose type is known, is checked at
   * the call; a Secret imported by name is taken on trust.
   *
   * A renewed Secret (cert-manager renews in place) is served without a restart: the kubelet
   * updates the mounted files within its sync period (about a minute), then Envoy reloads them
   * at once (file-based SDS watching the Secret's folder), nginx within a minute (it reads the
   * certificate through variables, with `ssl_certificate_cache … valid=60s` from nginx 1.27.4;
   * an older nginx reads the files at every handshake).
   * @see https://kubernetes.io/docs/concepts/configuration/secret/#tls-secrets
   * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/security/secret
   * @see https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_cache
   */
  readonly secret: kplus.ISecret;
}

/**
 * Who may show the app's pages in a frame: the `X-Frame-Options` header and, when a
 * Content-Security-Policy is given without its own `frame-ancestors`, that directive.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Frame-Options
 * @see https://www.w3.org/TR/CSP3/#directive-frame-ancestors
 */
export enum FrameAncestors {
  /** No one: `X-Frame-Options: DENY`, `frame-ancestors 'none'`. */
  NONE = 'none',
  /** Pages of the same origin: `X-Frame-Options: SAMEORIGIN`, `frame-ancestors 'self'`. */
  SAME_ORIGIN = 'self',
  /** Anyone: no frame header at all (for an app meant to be embedded, which sets its own policy). */
  ANY = 'any',
}

/**
 * Options of `SecurityHeaders.recommended`.
 */
export interface SecurityHeadersOptions {
  /**
   * Who may frame the app's pages.
   * @default FrameAncestors.NONE
   */
  readonly frameAncestors?: FrameAncestors;

  /**
   * The `Referrer-Policy` token.
   * @default 'strict-origin-when-cross-origin'
   * @see https://www.w3.org/TR/referrer-policy/#referrer-policies
   */
  readonly referrerPolicy?: string;

  /**
   * A `Content-Security-Policy`, as the app needs it (a policy that fits every app does not
   * exist). Without its own `frame-ancestors` directive, one matching `frameAncestors` is added.
   * @default - no Content-Security-Policy
   * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/CSP
   */
  readonly contentSecurityPolicy?: string;

  /**
   * `Strict-Transport-Security` `max-age`. Sent only by a proxy that terminates TLS (`tls`): a
   * browser ignores it over plain HTTP (RFC 6797 section 8.1), and behind a proxy without TLS
   * the scheme the browser used is not known here. Given without `tls`, withProxy refuses it.
   * @default - one year (`max-age=31536000`) with `tls`; none without
   * @see https://www.rfc-editor.org/rfc/rfc6797
   */
  readonly strictTransportSecurity?: Duration;

  /**
   * Add `includeSubDomains` to Strict-Transport-Security: every subdomain of the host must then
   * serve HTTPS too. Only with `tls`.
   * @default false
   */
  readonly includeSubDomains?: boolean;

  /**
   * More response headers, name to value, added after the recommended ones; a name given here
   * replaces the recommended header of that name.
   * @default - none
   */
  readonly additionalHeaders?: Record<string, string>;
}

/** @internal */
export interface SecurityHeadersSpec {
  readonly kind: 'recommended' | 'custom';
  readonly options: SecurityHeadersOptions;
  readonly headers: Record<string, string>;
}

/**
 * Response headers the proxy adds to every answer (the app's, and its own: health, 404 of an
 * internal path, 429 of the rate limit). A header of the same name the app sent is replaced, so
 * the browser sees exactly one. Envoy: `response_headers_to_add` on the virtual host with
 * `OVERWRITE_IF_EXISTS_OR_ADD`; nginx: `proxy_hide_header` and `add_header … always` in the
 * server block.
 *
 * @example
 * withProxy(web, { tls: { secret }, responseHeaders: SecurityHeaders.recommended({ contentSecurityPolicy: "default-src 'self'" }) });
 */
export class SecurityHeaders {
  /**
   * The headers OWASP's Secure Headers Project recommends for any web app:
   * `X-Content-Type-Options: nosniff`, `Referrer-Policy: strict-origin-when-cross-origin`,
   * `X-Frame-Options: DENY`, `Strict-Transport-Security: max-age=31536000` with `tls`, and a
   * Content-Security-Policy when given.
   * @see https://owasp.org/www-project-secure-headers/
   */
  public static recommended(options: SecurityHeadersOptions = {}): SecurityHeaders {
    checkFactoryOptions('SecurityHeaders.recommended', 'SecurityHeadersOptions', options);
    return new SecurityHeaders({ kind: 'recommended', options, headers: options.additionalHeaders ?? {} });
  }

  /**
   * Exactly these response headers, name to value. `Strict-Transport-Security` needs `tls`.
   */
  public static of(headers: Record<string, string>): SecurityHeaders {
    return new SecurityHeaders({ kind: 'custom', options: {}, headers });
  }

  private constructor(private readonly spec: SecurityHeadersSpec) {}

  /** @internal */
  public get _spec(): SecurityHeadersSpec {
    return this.spec;
  }
}

/** A delay injected before a share of the requests reach the app. */
export interface ProxyFaultDelay {
  /** How long the proxy holds the request. */
  readonly duration: Duration;
  /** The share of the requests delayed, in percent (more than 0, at most 100, up to 4 decimals). */
  readonly percentage: number;
}

/** An answer the proxy gives itself, instead of the app's, to a share of the requests. */
export interface ProxyFaultAbort {
  /** The HTTP status answered (200-599; Envoy refuses others). */
  readonly status: number;
  /** The share of the requests aborted, in percent (more than 0, at most 100, up to 4 decimals). */
  readonly percentage: number;
}

/**
 * Fault injection, for testing how clients and the app's callers cope with a slow or failing
 * app (Envoy only: its HTTP fault filter). Never meant for production traffic unless
 * restricted to requests carrying `onlyWithHeader`.
 * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/fault_filter
 */
export interface ProxyFaults {
  /**
   * The explicit switch: faults are injected only with `enabled: true`; with `false` the
   * options are checked and nothing is injected.
   */
  readonly enabled: boolean;
  /**
   * Delay a share of the requests.
   * @default - no delay
   */
  readonly delay?: ProxyFaultDelay;
  /**
   * Answer a share of the requests with an error status.
   * @default - no abort
   */
  readonly abort?: ProxyFaultAbort;
  /**
   * Only requests that carry this header (any value) are candidates for a fault; the header is
   * removed before the request reaches the app only if it is also in `removeRequestHeaders`.
   * @default - every request is a candidate
   */
  readonly onlyWithHeader?: string;
}

/**
 * A local rate limit: one token bucket for the whole proxy (all clients together, per pod), to
 * protect the app from more requests than it can take. Beyond it the proxy answers 429.
 * Envoy: the local_ratelimit filter; nginx: `limit_req_zone`/`limit_req … burst nodelay`.
 */
export interface ProxyRateLimit {
  /** Requests per second, a whole number from 1 to 1,000,000. */
  readonly requestsPerSecond: number;
  /**
   * How many requests may arrive at once, above the steady rate (the bucket's size), a whole
   * number from 1 to 1,000,000.
   * @default - requestsPerSecond
   */
  readonly burst?: number;
}

/**
 * How `withProxy` puts a reverse proxy in front of the app.
 */
export interface ProxyOptions {
  /**
   * The program that proxies.
   * @default ProxyEngine.ENVOY
   */
  readonly engine?: ProxyEngine;

  /**
   * The port the proxy listens on, declared as a named containerPort of the proxy; Services
   * should target it (see `exposeViaService`). It must differ from every port of the pod.
   * Ports below 1024 need `allowPrivilegedPort`.
   * @default 8443 with `tls`, else 8081
   */
  readonly port?: number;

  /**
   * The name of the proxy's containerPort, which Services target.
   * @default 'proxy-https' with `tls`, else 'proxy-grpc' for `UpstreamProtocol.GRPC`, else 'proxy-http'
   */
  readonly portName?: string;

  /**
   * The app's port the proxy forwards to, on 127.0.0.1. It must be a containerPort of an app
   * container.
   * @default - the single port the app containers declare
   */
  readonly targetPort?: number;

  /**
   * Forward to another sidecar of the pod instead of the app: an authenticating proxy, so that
   * a request passes TLS at this proxy, then authentication, then reaches the app. The proxy
   * forwards to the target's port on 127.0.0.1, and the Services that reached the target
   * (its `exposeViaService()` and `retargetService()`) now reach this proxy, the outermost.
   * Give either `target` or `targetPort`.
   * @default - the app's port (`targetPort`)
   * @example
   * const auth = withAuthProxy(web, { issuerUrl, clientId, clientSecret, cookieSecret, emailDomains: ['example.com'] });
   * withProxy(web, { target: auth, tls: { secret } }).exposeViaService({ name: 'web', port: 443 });
   */
  readonly target?: IProxyTarget;

  /**
   * Terminate TLS at the proxy with the certificate of a `kubernetes.io/tls` Secret.
   * @default - no TLS: the proxy listens in cleartext
   */
  readonly tls?: ProxyTls;

  /**
   * The protocol towards the app.
   * @default UpstreamProtocol.HTTP1
   */
  readonly upstreamProtocol?: UpstreamProtocol;

  /**
   * How long the proxy waits to connect to the app. Envoy: the cluster's `connect_timeout`;
   * nginx: `proxy_connect_timeout` / `grpc_connect_timeout` (nginx caps it at about 75 s).
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;

  /**
   * How long the app may take to answer. Envoy: the route's `timeout`, for the whole response;
   * nginx: `proxy_read_timeout` and `proxy_send_timeout` (`grpc_*` for gRPC), between two
   * successive reads or writes. For long-lived streams give a long duration.
   * @default Duration.seconds(60)
   */
  readonly requestTimeout?: Duration;

  /**
   * How long an idle client connection (and, for Envoy, an idle stream) stays open. Envoy:
   * `common_http_protocol_options.idle_timeout` and `stream_idle_timeout`; nginx:
   * `keepalive_timeout`. Behind a load balancer keep it above the balancer's own idle timeout
   * (60 s on AWS ALB), or the balancer reuses connections the proxy is closing.
   * @default Duration.seconds(75)
   */
  readonly idleTimeout?: Duration;

  /**
   * The largest request body the proxy accepts; larger requests get 413. Envoy enforces it with
   * the buffer filter, which holds each request body in memory until it is complete (do not set
   * it for streaming uploads or client-streaming gRPC); nginx with `client_max_body_size`.
   * @default - no limit: the proxy passes any body, as the app saw them before
   */
  readonly maxRequestBodySize?: Size;

  /**
   * Write an access log line per request to the proxy's stdout.
   * @default true
   */
  readonly accessLogs?: boolean;

  /**
   * The path the proxy answers itself with 200 `ok`, for its readiness and liveness probes.
   * Requests for exactly this path never reach the app, and are not access-logged. `/` is
   * refused: it would take over the app's root page.
   * @default '/proxy-healthz'
   */
  readonly healthPath?: string;

  /**
   * How many proxies in front of this one (an ingress controller, a cloud load balancer) to
   * trust for the client's address and scheme.
   *
   * With 0 the proxy trusts nothing a client sends: the client is the peer of the connection,
   * X-Forwarded-For gets that address appended, and X-Forwarded-Proto is the proxy's own
   * scheme. Behind an ingress the app then sees the ingress's address and, where the ingress
   * terminates TLS, `http`.
   *
   * With N (1 for one ingress controller) the client is the Nth address from the right of the
   * X-Forwarded-For received, and the X-Forwarded-Proto the last hop set is kept. Envoy:
   * `xff_num_trusted_hops: N` with `use_remote_address`; nginx (N = 1 only: it trusts by
   * address, not by count): `real_ip_header X-Forwarded-For`, `set_real_ip_from` every
   * address, `real_ip_recursive off`, and X-Forwarded-Proto passed on. The access log shows
   * that client.
   *
   * **Security**: set it only when every request reaches the pod through that many proxies
   * that each append to X-Forwarded-For. A client that reaches the pod directly (from another
   * pod, through a NodePort, or through a Service that bypasses the ingress) can then write
   * any address and scheme it likes into these headers, and the app believes them; restrict
   * who can reach the pod (a NetworkPolicy that admits only the ingress) before trusting hops.
   * @default 0
   * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/headers#x-forwarded-for
   * @see https://nginx.org/en/docs/http/ngx_http_realip_module.html
   */
  readonly trustedProxyHops?: number;

  /**
   * Headers added to every response, for browsers: `SecurityHeaders.recommended()` or
   * `SecurityHeaders.of({...})`.
   * @default - none: the app's answers pass unchanged
   */
  readonly responseHeaders?: SecurityHeaders;

  /**
   * Request headers removed before a request reaches the app (or the target), whatever the
   * client sent: identity headers an app behind an authenticating proxy believes
   * (`X-Forwarded-User`, `X-Forwarded-Email`, `X-Auth-Request-User`), or any a client must not
   * set. With a `target` that authenticates (withAuthProxy), the headers oauth2-proxy sets for
   * the app are always removed too: `X-Forwarded-User`, `-Email`, `-Groups`,
   * `-Preferred-Username`, `-Access-Token` and their `X-Auth-Request-*` forms. Names are matched without
   * regard to case. Envoy: `request_headers_to_remove`; nginx: `proxy_set_header <name> ""`.
   * @default - none (with an authenticating `target`, its identity headers)
   */
  readonly removeRequestHeaders?: string[];

  /**
   * Fault injection (Envoy only; nginx has no faithful equivalent and refuses it). Off unless
   * `enabled: true`.
   * @default - no faults
   */
  readonly faults?: ProxyFaults;

  /**
   * A local rate limit, both engines.
   * @default - no limit
   */
  readonly rateLimit?: ProxyRateLimit;

  /**
   * Paths of the app that only the pod itself may call (a reload endpoint, an admin page): the
   * proxy answers 404 for the path and everything below it (`/admin` blocks `/admin` and
   * `/admin/…`, not `/administrator`), in any letter case, after decoding and normalizing the
   * path (`/a/../admin`, `//admin`). The callback paths other helpers register on the port the
   * proxy forwards to (withConfigSync's and withSecretsAgent's `ConfigReload.httpPost`) are
   * added without being named here.
   * @default - only those other helpers registered
   */
  readonly internalPaths?: string[];

  /**
   * Envoy only: the admin interface's port, bound to 127.0.0.1 (never declared, never in a
   * Service) and kept in the pod's port ledger.
   * @default 9901
   * @see https://www.envoyproxy.io/docs/envoy/latest/operations/admin
   */
  readonly adminPort?: number;

  /**
   * Allow `port` below 1024. Adds the `NET_BIND_SERVICE` capability (the only one the
   * restricted profile allows). A non-root process gets it only where the runtime passes
   * ambient capabilities or sets `net.ipv4.ip_unprivileged_port_start` (containerd 2 does by
   * default); prefer a port above 1024 and a Service port of 443.
   * @default false
   */
  readonly allowPrivilegedPort?: boolean;

  /**
   * The proxy's container name.
   * @default 'proxy'
   */
  readonly name?: string;

  /**
   * How the proxy joins the pod.
   * @default - the nearest `setDefaultSidecarMode`, else `SidecarMode.NATIVE`
   */
  readonly mode?: SidecarMode;

  /**
   * CPU and memory of the proxy; each one given replaces the default for that one. The CPU
   * limit also sets Envoy's `--concurrency` / nginx's `worker_processes` (rounded up).
   * @default - cpu 100m request / 1 limit, memory 64Mi request / 256Mi limit
   */
  readonly resources?: kplus.ContainerResources;

  /**
   * The image, for a mirror of the pinned upstream image. It must be the same program, run as
   * the same user (UID/GID 101 for both engines).
   * @default - the pinned upstream image of the engine (lib/images.ts)
   */
  readonly image?: string;
}

/**
 * Options of `ReverseProxy.exposeViaService`.
 */
export interface ProxyExposeViaServiceOptions {
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
   * @default - the proxy's port
   */
  readonly port?: number;
}

/** Where the proxy's files are mounted in its container. */
export const PROXY_PATHS = {
  /** The ConfigMap with the engine's configuration file. */
  config: '/etc/proxy/config',
  /** The TLS Secret (`tls.crt`, `tls.key`). */
  tls: '/etc/proxy/tls',
  /** nginx only: the writable emptyDir for the pid file and temp paths (Envoy writes no file). */
  tmp: '/tmp',
} as const;

/** The proxy's resources unless the user gives some: on the request path, so more CPU than a plain sidecar. */
export const PROXY_RESOURCES: kplus.ContainerResources = {
  cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.units(1) },
  memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
};

// Options compare by value in the plan cache (engine/options-key.ts): all their state is in their own properties.
keyedByValue(ProxyEngine, SecurityHeaders);
