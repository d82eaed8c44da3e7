/**
 * oauth2-proxy's command line, from a plain model: a pure function, no construct. Every flag
 * is in oauth2-proxy's documented options table (docs/docs/configuration/overview.md of
 * oauth2-proxy/oauth2-proxy v7.15.6; test/auth-proxy/oauth2-proxy.test.ts keeps that table).
 *
 * Flags rather than a config file: the flags are oauth2-proxy's stable interface (the TOML file
 * takes the same options under other names; the YAML "alpha config" is still alpha and changed
 * incompatibly in v7.14.0), none of the values is secret (the secrets are files), and each
 * value is its own argument, so no quoting of a file format is needed. The args change with the
 * options, which rolls the pods like a ConfigMap checksum would.
 */

/** oauth2-proxy reduced to plain values. */
export interface OAuth2ProxyModel {
  /** The port it listens on, on every address of the pod. */
  readonly port: number;
  /** The app's port, on 127.0.0.1. */
  readonly upstreamPort: number;
  readonly issuerUrl: string;
  readonly clientId: string;
  readonly clientSecretFile: string;
  readonly cookieSecretFile: string;
  readonly emailDomains: readonly string[];
  readonly allowedGroups: readonly string[];
  /** Space-separated scopes; oauth2-proxy's default when undefined. */
  readonly scope?: string;
  readonly redirectUrl?: string;
  /** `--skip-auth-route` values: `GET=^/healthz$`, `^/static/`. */
  readonly skipAuthRoutes: readonly string[];
  readonly passUserHeaders: boolean;
  readonly passAccessToken: boolean;
  readonly passIdToken: boolean;
  readonly cookie: {
    readonly name: string;
    readonly secure: boolean;
    readonly sameSite: string;
    readonly domains: readonly string[];
    readonly expireSeconds: number;
    readonly refreshSeconds?: number;
  };
  readonly upstreamTimeoutMillis: number;
  /** Peers whose X-Forwarded-* headers are believed (`--trusted-proxy-ip`). */
  readonly trustedProxyIps: readonly string[];
  readonly pingPath: string;
  readonly readyPath: string;
}

/**
 * The arguments after the binary, as oauth2-proxy reads them (before Kubernetes' `$(VAR)`
 * expansion is undone: see plan.ts).
 */
export function oauth2ProxyArgs(m: OAuth2ProxyModel): string[] {
  const args: string[] = [
    `--http-address=0.0.0.0:${m.port}`,
    // A trailing "/": every path goes to the app (overview.md, "Upstreams Configuration").
    ...list('upstream', [`http://127.0.0.1:${m.upstreamPort}/`]),
    `--upstream-timeout=${goDuration(m.upstreamTimeoutMillis)}`,
    '--provider=oidc',
    `--oidc-issuer-url=${m.issuerUrl}`,
    `--client-id=${m.clientId}`,
    `--client-secret-file=${m.clientSecretFile}`,
    // PKCE (RFC 7636): an intercepted authorization code is useless without the verifier.
    '--code-challenge-method=S256',
    ...(m.scope !== undefined ? [`--scope=${m.scope}`] : []),
    ...(m.redirectUrl !== undefined ? [`--redirect-url=${m.redirectUrl}`] : []),
    ...list('email-domain', m.emailDomains),
    ...list('allowed-group', m.allowedGroups),
    // One provider: straight to it, without oauth2-proxy's "Sign in with …" page.
    '--skip-provider-button=true',
    ...list('skip-auth-route', m.skipAuthRoutes),
    `--cookie-secret-file=${m.cookieSecretFile}`,
    `--cookie-name=${m.cookie.name}`,
    `--cookie-secure=${m.cookie.secure}`,
    '--cookie-httponly=true',
    `--cookie-samesite=${m.cookie.sameSite}`,
    ...list('cookie-domain', m.cookie.domains),
    `--cookie-expire=${goDuration(m.cookie.expireSeconds * 1000)}`,
    ...(m.cookie.refreshSeconds !== undefined ? [`--cookie-refresh=${goDuration(m.cookie.refreshSeconds * 1000)}`] : []),
    // pass-basic-auth (default true) also passes the user headers: off, so that
    // passUserHeaders alone decides.
    '--pass-basic-auth=false',
    `--pass-user-headers=${m.passUserHeaders}`,
    `--pass-access-token=${m.passAccessToken}`,
    `--pass-authorization-header=${m.passIdToken}`,
    // X-Forwarded-{Proto,Host,Uri} decide the redirect URL, so they are believed only from the
    // pod's own proxies, which connect over loopback; any other peer's are ignored.
    '--reverse-proxy=true',
    ...list('trusted-proxy-ip', m.trustedProxyIps),
    `--ping-path=${m.pingPath}`,
    `--ready-path=${m.readyPath}`,
    '--silence-ping-logging=true',
  ];
  return args;
}

/**
 * A list flag, once per value. oauth2-proxy's list flags are pflag `StringSlice`s, which read
 * each value as a CSV record (pkg/apis/options, `flagSet.StringSlice`): a value holding a comma
 * or a quote is quoted as a CSV field, or `^/a{1,3}$` would become two routes.
 */
function list(flag: string, values: readonly string[]): string[] {
  return values.map((v) => `--${flag}=${csvField(v)}`);
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value.trim() !== value ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A Go `time.ParseDuration` string. */
export function goDuration(millis: number): string {
  return millis % 1000 === 0 ? `${millis / 1000}s` : `${millis}ms`;
}
