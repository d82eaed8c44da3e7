/**
 * withAuthProxy's plan: the options and the facts of the pod in, the oauth2-proxy program out
 * (its arguments, container, port, probes and Secret volumes), with no construct made. Pure:
 * the construct (index.ts) hands the program to the engine's attach.
 */
import { Duration } from 'cdk8s';
import {
  checkEmailDomain, checkGroup, checkRedirectUrl, checkSecretKey, checkUrl, escapeRegex, renderSkipRoute,
} from './checks';
import { OAuth2ProxyModel, oauth2ProxyArgs } from './oauth2-proxy';
import { AUTH_PROXY_PATHS, AUTH_PROXY_RESOURCES, AuthProxyOptions, AuthProxySecretKey, CookieSameSite } from './options';
import { resolveAppPort } from '../engine/app-port';
import { sidecarResources } from '../engine/defaults';
import { imageReference, OAUTH2_PROXY_IMAGE } from '../engine/images';
import { kplus, TCP } from '../engine/kplus';
import { Fail, PodFacts } from '../engine/pod-facts';
import { Program } from '../engine/program';
import { portNameProblem, portNumberProblem, quote } from '../engine/validation/syntax';

/** oauth2-proxy's own endpoints, under its `/oauth2` prefix so that no path of the app is shadowed. */
export const PING_PATH = '/oauth2/ping';
export const READY_PATH = '/oauth2/ready';
const CLIENT_SECRET_FILE = 'client-secret';
const COOKIE_SECRET_FILE = 'cookie-secret';

/** The auth proxy's program, and what the construct shows of it. */
export interface AuthProxyPlan {
  readonly program: Program;
  readonly port: number;
  readonly portName: string;
  readonly targetPort: number;
  /** The `--skip-auth-route` values, probe paths included. */
  readonly skipAuthRoutes: string[];
  /** The arguments as oauth2-proxy receives them (after Kubernetes' `$(VAR)` expansion). */
  readonly args: string[];
  readonly clientSecret: AuthProxySecretKey;
  readonly cookieSecret: AuthProxySecretKey;
}

/** Checks the options against the pod and works out oauth2-proxy's command line. Throws on input that is wrong. */
export function planAuthProxy(pod: PodFacts, props: AuthProxyOptions, fail: Fail): AuthProxyPlan {
  if (props === undefined || props === null || typeof props !== 'object') {
    fail('options are missing; pass { issuerUrl, clientId, clientSecret, cookieSecret, emailDomains or allowedGroups }');
  }
  const name = props.name ?? 'auth-proxy';
  const issuerUrl = props.issuerUrl;
  checkUrl('issuerUrl', issuerUrl, fail);
  if (typeof props.clientId !== 'string' || props.clientId.trim() === '' || /[\s\u0000-\u001f]/.test(props.clientId)) {
    fail(`clientId ${quote(props.clientId)} is not a client ID; give the ID the issuer registered for the app, without white space`);
  }
  const clientSecret = checkSecretKey('clientSecret', props.clientSecret, fail);
  const cookieSecret = checkSecretKey('cookieSecret', props.cookieSecret, fail);

  const emailDomains = (props.emailDomains ?? []).map((d) => checkEmailDomain(d, fail));
  const allowedGroups = (props.allowedGroups ?? []).map((g) => checkGroup(g, fail));
  if (emailDomains.length === 0 && allowedGroups.length === 0) {
    fail('neither emailDomains nor allowedGroups is given, so anyone with an account at the issuer could sign in; '
      + 'pass emailDomains (["example.com"], or ["*"] for every account) and/or allowedGroups');
  }
  const redirectUrl = props.redirectUrl === undefined ? undefined : checkRedirectUrl(props.redirectUrl, fail);
  let scope: string | undefined;
  if (props.scopes !== undefined) {
    if (!Array.isArray(props.scopes) || props.scopes.length === 0) fail('scopes is empty; leave it out for oauth2-proxy\'s default, or give some ("openid", …)');
    for (const s of props.scopes) {
      if (typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s)) fail(`scopes entry ${quote(s)} is not an OAuth scope (RFC 6749 3.3: printable, no space, quote or backslash)`);
    }
    if (!props.scopes.includes('openid')) fail(`scopes [${props.scopes.map((s) => quote(s)).join(', ')}] lacks "openid", without which the issuer sends no ID token; add it`);
    scope = props.scopes.join(' ');
  }

  const port = props.port ?? 4180;
  const portProblem = portNumberProblem(port);
  if (portProblem) fail(`port ${quote(port)} ${portProblem}`);
  if (port < 1024) fail(`port ${port} is below 1024, which oauth2-proxy, running as a non-root user, cannot bind; pass a port of 1024 or more (a Service can still listen on 80 or 443)`);
  const portName = props.portName ?? 'auth-http';
  const portNameIssue = portNameProblem(portName);
  if (portNameIssue) fail(`portName ${quote(portName)} is not an IANA service name: it ${portNameIssue}`);

  const targetPort = resolveAppPort(pod, props.targetPort, 'the auth proxy', fail);
  if (targetPort === port) fail(`port ${port} is the app's own port (the target port); the auth proxy must listen on another port: pass port (for example 4180)`);
  const front = pod.frontsOf(targetPort)[0];
  if (front?.exclusive) {
    fail(`the app's port ${targetPort} already has ${front.purpose} (container ${quote(front.name)}, port ${front.port}) in front of it; `
      + 'one authenticating proxy per app port: remove this call, or pass targetPort for another port of the app');
  }
  if (front) {
    fail(`${front.purpose} (container ${quote(front.name)}, port ${front.port}) already forwards to the app's port ${targetPort}, so requests through it `
      + `would skip authentication; attach withAuthProxy first, then pass target: authProxy to ${front.purpose.split(' ')[0]}`);
  }

  const skipAuthRoutes: string[] = [];
  for (const route of props.skipAuthRoutes ?? []) skipAuthRoutes.push(...renderSkipRoute(route, fail));
  if (props.skipAuthForProbes ?? true) {
    for (const path of probePaths(pod, targetPort)) skipAuthRoutes.push(`GET=^${escapeRegex(path)}$`);
  }

  const cookieSecure = props.cookieSecure ?? true;
  const sameSite = props.cookieSameSite ?? CookieSameSite.LAX;
  if (!Object.values(CookieSameSite).includes(sameSite)) fail(`cookieSameSite ${quote(sameSite)} is not a CookieSameSite; pass CookieSameSite.LAX, STRICT or NONE`);
  if (sameSite === CookieSameSite.NONE && !cookieSecure) {
    fail('cookieSameSite NONE with cookieSecure false: browsers drop a SameSite=None cookie that is not Secure; keep cookieSecure, or use CookieSameSite.LAX');
  }
  const cookieDomains = (props.cookieDomains ?? []).map((d) => {
    if (typeof d !== 'string' || !/^\.?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(d)) {
      fail(`cookieDomains entry ${quote(d)} is not a domain; give a lowercase domain like ".example.com"`);
    }
    return d;
  });
  const expireSeconds = wholeSeconds('cookieExpire', props.cookieExpire ?? Duration.days(7), 0, fail);
  const refreshSeconds = props.cookieRefresh === undefined ? undefined : wholeSeconds('cookieRefresh', props.cookieRefresh, 1, fail);
  if (refreshSeconds !== undefined && expireSeconds !== 0 && refreshSeconds >= expireSeconds) {
    fail(`cookieRefresh ${props.cookieRefresh!.toHumanString()} is not shorter than cookieExpire ${(props.cookieExpire ?? Duration.days(7)).toHumanString()}, `
      + 'which oauth2-proxy refuses at start; give a shorter cookieRefresh');
  }
  const upstreamTimeoutMillis = (props.upstreamTimeout ?? Duration.seconds(30)).toMilliseconds();
  if (!Number.isInteger(upstreamTimeoutMillis) || upstreamTimeoutMillis < 1) {
    fail(`upstreamTimeout ${props.upstreamTimeout!.toHumanString()} must be at least 1 millisecond; give a longer duration`);
  }

  const model: OAuth2ProxyModel = {
    port,
    upstreamPort: targetPort,
    issuerUrl,
    clientId: props.clientId,
    clientSecretFile: `${AUTH_PROXY_PATHS.clientSecret}/${CLIENT_SECRET_FILE}`,
    cookieSecretFile: `${AUTH_PROXY_PATHS.cookieSecret}/${COOKIE_SECRET_FILE}`,
    // With groups only, email does not restrict: oauth2-proxy still wants a domain rule.
    emailDomains: emailDomains.length > 0 ? emailDomains : ['*'],
    allowedGroups,
    scope,
    redirectUrl,
    skipAuthRoutes: [...new Set(skipAuthRoutes)],
    passUserHeaders: props.passUserHeaders ?? true,
    passAccessToken: props.passAccessToken ?? false,
    passIdToken: props.passIdToken ?? false,
    cookie: {
      // A __Host- cookie is refused by browsers unless Secure, Path=/ and host-only; __Secure-
      // unless Secure: a cookie planted over plain HTTP, or by a sibling subdomain, cannot pose
      // as the session (https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#cookie_prefixes).
      name: !cookieSecure ? '_oauth2_proxy' : cookieDomains.length === 0 ? '__Host-oauth2-proxy' : '__Secure-oauth2-proxy',
      secure: cookieSecure,
      sameSite,
      domains: cookieDomains,
      expireSeconds,
      refreshSeconds,
    },
    upstreamTimeoutMillis,
    trustedProxyIps: ['127.0.0.1', '::1'],
    pingPath: PING_PATH,
    readyPath: READY_PATH,
  };
  const args = oauth2ProxyArgs(model);

  const image = props.image ?? imageReference(OAUTH2_PROXY_IMAGE);
  if (typeof image !== 'string' || image.trim() === '') fail('image is empty; leave it unset for the pinned upstream image');
  const probe = (path: string, failureThreshold: number) => kplus.Probe.fromHttpGet(path, {
    port,
    periodSeconds: Duration.seconds(10),
    timeoutSeconds: Duration.seconds(2),
    failureThreshold,
  });
  const secretVolume = (suffix: string, path: string, ref: AuthProxySecretKey, file: string) => ({
    suffix,
    path,
    source: { kind: 'secret' as const, secret: ref.secret, items: { [ref.key]: { path: file } } },
  });
  const program: Program = {
    where: 'withAuthProxy',
    purpose: 'withAuthProxy (oauth2-proxy)',
    name,
    volumes: [
      secretVolume('client-secret', AUTH_PROXY_PATHS.clientSecret, clientSecret, CLIENT_SECRET_FILE),
      secretVolume('cookie-secret', AUTH_PROXY_PATHS.cookieSecret, cookieSecret, COOKIE_SECRET_FILE),
    ],
    sidecar: {
      image,
      // The image's ENTRYPOINT is /bin/oauth2-proxy; args only. The engine escapes them against
      // Kubernetes' $(VAR) expansion, so oauth2-proxy gets them as written here.
      args,
      mode: props.mode,
      first: true,
      ports: [{ number: port, name: portName, protocol: TCP }],
      resources: sidecarResources(props.resources, AUTH_PROXY_RESOURCES),
      securityContext: { user: OAUTH2_PROXY_IMAGE.user, group: OAUTH2_PROXY_IMAGE.group },
      readiness: probe(READY_PATH, 3),
      liveness: probe(PING_PATH, 6),
    },
    portHints: [{ number: port, hint: 'pass another port to withAuthProxy' }],
  };
  return { program, port, portName, targetPort, skipAuthRoutes: model.skipAuthRoutes as string[], args, clientSecret, cookieSecret };
}

/**
 * The paths of the app's HTTP GET probes on `appPort` (by number, or by the name of the port
 * declared with it), without query; `/` is left out, or the home page would be public.
 */
function probePaths(pod: PodFacts, appPort: number): string[] {
  const paths: string[] = [];
  for (const c of pod.appContainers()) {
    const declared = c.ports.filter((p) => p.number === appPort && (p.protocol ?? TCP) === TCP);
    if (declared.length === 0) continue;
    const names = new Set(declared.map((p) => p.name).filter((n) => n !== undefined));
    for (const probe of pod.httpGetProbes(c.name)) {
      if (probe.port !== appPort && !names.has(probe.port as string)) continue;
      const path = probe.path.split('?')[0];
      if (path === '/' || !path.startsWith('/')) continue;
      if (!paths.includes(path)) paths.push(path);
    }
  }
  return paths;
}

function wholeSeconds(option: string, duration: Duration, min: number, fail: (problem: string) => never): number {
  const ms = duration.toMilliseconds();
  if (!Number.isInteger(ms / 1000) || ms / 1000 < min) {
    fail(`${option} ${duration.toHumanString()} must be whole seconds${min > 0 ? `, at least ${min}` : ''}; give, for example, Duration.hours(1)`);
  }
  return ms / 1000;
}
