/**
 * What both proxy renderers take: the proxy reduced to plain values (ports, paths,
 * milliseconds, bytes). `withProxy` checks and resolves the user's options into this; the
 * renderers (envoy.ts, nginx.ts) are pure functions of it and never touch constructs.
 */

/** The protocol the proxy speaks to the app. */
export type UpstreamKind = 'http1' | 'grpc';

export interface ProxyModel {
  /** The port the proxy listens on, on every IPv4 address of the pod. */
  readonly listenPort: number;
  /** The app's port, reached on 127.0.0.1. */
  readonly upstreamPort: number;
  /** HTTP/1.1, or HTTP/2 cleartext for gRPC servers. */
  readonly upstream: UpstreamKind;
  /**
   * TLS termination: the certificate chain and key files, as mounted from the Secret, and the
   * Secret's folder, which the kubelet updates by swapping its `..data` symlink.
   */
  readonly tls?: { readonly certificateFile: string; readonly privateKeyFile: string; readonly directory: string };
  readonly connectTimeoutMillis: number;
  readonly requestTimeoutMillis: number;
  readonly idleTimeoutMillis: number;
  /** The largest request body accepted; larger ones get 413. Unset: no limit. */
  readonly maxRequestBodyBytes?: number;
  readonly accessLog: boolean;
  /** Exact path the proxy answers itself with 200, for its probes. */
  readonly healthPath: string;
  /**
   * Proxies in front of this one (an ingress controller, a load balancer) whose
   * X-Forwarded-For and X-Forwarded-Proto are trusted; 0 trusts none.
   */
  readonly trustedProxyHops: number;
  /** The container's memory limit in bytes, which bounds Envoy's heap; unset without a limit. */
  readonly memoryLimitBytes?: number;
  /** Worker threads (Envoy `--concurrency`) or processes (nginx `worker_processes`). */
  readonly workers: number;
  /** Headers set on every response, replacing the app's of the same name. */
  readonly responseHeaders?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** Request headers removed before the request goes on, lower-case. */
  readonly removeRequestHeaders?: readonly string[];
  /** Fault injection (Envoy only). Shares are in millionths (Envoy's `MILLION` denominator). */
  readonly faults?: {
    readonly delay?: { readonly millis: number; readonly millionths: number };
    readonly abort?: { readonly status: number; readonly millionths: number };
    /** Only requests carrying this header (lower-case) are candidates. */
    readonly header?: string;
  };
  /** One token bucket for the whole proxy: `burst` requests at once, refilled at `requestsPerSecond`. */
  readonly rateLimit?: { readonly requestsPerSecond: number; readonly burst: number };
  /**
   * Paths answered 404 instead of forwarded, each with everything below it, in any case, after
   * the path is normalized. Each starts with `/`, has no trailing `/`, no query, no `%`.
   */
  readonly internalPaths?: readonly string[];
}

/** A protobuf JSON Duration: decimal seconds followed by `s` (`5s`, `0.25s`). */
export function protoDuration(millis: number): string {
  return `${millis / 1000}s`;
}

/** An nginx time: whole seconds as `5s`, otherwise milliseconds as `250ms`. */
export function nginxTime(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}s` : `${millis}ms`;
}

/** The body the health endpoint answers with. */
export const HEALTH_BODY = 'ok\n';

/** The status the proxy answers for an internal path. */
export const INTERNAL_PATH_STATUS = 404;

/** The status the proxy answers beyond the rate limit. */
export const RATE_LIMITED_STATUS = 429;
