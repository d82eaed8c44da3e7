/**
 * nginx.conf for the `ProxyEngine.NGINX` proxy: a pure function of the proxy model.
 *
 * Written for the nginxinc/nginx-unprivileged image run with a read-only root filesystem:
 * no `user` directive (the image runs as UID 101 and nginx warns about `user` when not root),
 * the pid file and every temp path on the emptyDir at `tmpDir` (the image's own nginx.conf
 * moves them to /tmp for the same reason; see its README, "If you override the default
 * nginx.conf file"), logs to the container's stdout/stderr.
 *
 * @see https://github.com/nginx/docker-nginx-unprivileged (README.md, stable/debian/Dockerfile)
 * @see https://nginx.org/en/docs/http/ngx_http_proxy_module.html
 * @see https://nginx.org/en/docs/http/ngx_http_grpc_module.html
 */
import { HEALTH_BODY, INTERNAL_PATH_STATUS, nginxTime, ProxyModel, RATE_LIMITED_STATUS } from './model';
import { block, directive, entry, NginxDirective, NginxToken, renderNginx, token } from './nginx-conf';

/** What nginx needs beyond the proxy model. */
export interface NginxModel extends ProxyModel {
  /** The writable emptyDir for the pid file and the temp paths. */
  readonly tmpDir: string;
  /**
   * The version of the nginx that reads the file, `[major, minor, patch]`. nginx 1.25.1 added
   * the `http2` directive and deprecated the `http2` parameter of `listen`
   * (https://nginx.org/en/CHANGES, 1.25.1); older versions know only the parameter.
   */
  readonly version: readonly [number, number, number];
}

/** The nginx version of an image tag (`1.30.5`, `1.30.5-alpine`), when the tag starts with one. */
export function nginxVersionOfTag(tag: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(tag);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function atLeast(version: readonly number[], wanted: readonly number[]): boolean {
  for (let i = 0; i < wanted.length; i++) {
    if ((version[i] ?? 0) !== wanted[i]) return (version[i] ?? 0) > wanted[i];
  }
  return true;
}

/** The text of nginx.conf. */
export function renderNginxConf(model: NginxModel): string {
  const grpc = model.upstream === 'grpc';
  const tls = model.tls;
  // HTTP/2 towards clients: always with TLS (negotiated by ALPN, HTTP/1.1 still works), and
  // on a plaintext listener for gRPC clients, which speak HTTP/2 with prior knowledge. From
  // 1.25.1 a plaintext server with `http2 on` sniffs the HTTP/2 preface and serves HTTP/1.1
  // otherwise (src/http/ngx_http_request.c, ngx_http_wait_request_handler), so the kubelet's
  // HTTP/1.1 probes still reach the health location; before 1.25.1 `listen … http2` without
  // ssl speaks HTTP/2 only.
  const http2 = tls !== undefined || grpc;
  const http2Directive = atLeast(model.version, [1, 25, 1]);
  const tmp = (name: string) => `${model.tmpDir.replace(/\/+$/, '')}/${name}`;

  const listen = directive('listen', model.listenPort,
    ...(tls ? [token('ssl')] : []),
    ...(http2 && !http2Directive ? [token('http2')] : []));

  const server: NginxDirective[] = [
    listen,
    ...(http2 && http2Directive ? [directive('http2', token('on'))] : []),
    ...(tls ? [
      {
        ...directive('ssl_certificate', token('$sidecar_tls_certificate')),
        comment: 'Through variables, so the files are read again after the Secret is renewed (maps above).',
      },
      directive('ssl_certificate_key', token('$sidecar_tls_certificate_key')),
      ...(atLeast(model.version, [1, 27, 4]) ? [{
        ...directive('ssl_certificate_cache', token('max=8'), token('inactive=1h'), token(`valid=${CERTIFICATE_VALID_SECONDS}s`)),
        comment: `Parsed once, checked against the files again after ${CERTIFICATE_VALID_SECONDS} s.`,
      }] : []),
      // Mozilla's "intermediate" profile: TLS 1.2 and 1.3 (nginx's default also allows 1.0/1.1
      // before 1.27.3).
      directive('ssl_protocols', token('TLSv1.2'), token('TLSv1.3')),
      directive('ssl_session_cache', token('shared:SSL:10m')),
      directive('ssl_session_timeout', token('1d')),
    ] : []),
    ...responseHeaders(model),
    {
      ...block('location', [token('='), model.healthPath], [
        directive('access_log', token('off')),
        directive('default_type', 'text/plain'),
        directive('return', 200, HEALTH_BODY),
      ]),
      comment: 'The proxy\'s own health endpoint, for its probes; answered here, never sent to the app.',
    },
    ...(model.internalPaths ?? []).map((path, i) => ({
      ...block('location', [token('~*'), `^${escapeRegex(path)}(/|$)`], [
        directive('default_type', 'text/plain'),
        directive('return', INTERNAL_PATH_STATUS, 'not found\n'),
      ]),
      ...(i === 0 ? {
        comment: 'Internal paths of the app (the path and everything below it, in any case, matched on the decoded and normalized path): answered 404, never sent to the app.',
      } : {}),
    })),
    block('location', ['/'], [
      ...(model.rateLimit ? [
        {
          ...directive('limit_req', token(`zone=${RATE_LIMIT_ZONE}`), ...(model.rateLimit.burst > 1 ? [token(`burst=${model.rateLimit.burst - 1}`)] : []), token('nodelay')),
          comment: `rateLimit: ${model.rateLimit.burst} requests at once (the first and burst more), then ${model.rateLimit.requestsPerSecond} a second; beyond, ${RATE_LIMITED_STATUS}.`,
        },
        directive('limit_req_status', RATE_LIMITED_STATUS),
      ] : []),
      ...(grpc ? grpcLocation(model) : httpLocation(model)),
    ]),
  ];

  const http: NginxDirective[] = [
    {
      ...directive('client_body_temp_path', tmp('client_temp')),
      comment: 'Every path nginx writes is on the emptyDir: the root filesystem is read-only.',
    },
    directive('proxy_temp_path', tmp('proxy_temp')),
    directive('fastcgi_temp_path', tmp('fastcgi_temp')),
    directive('uwsgi_temp_path', tmp('uwsgi_temp')),
    directive('scgi_temp_path', tmp('scgi_temp')),
    model.accessLog
      ? directive('access_log', '/dev/stdout', token('combined'))
      : directive('access_log', token('off')),
    directive('server_tokens', token('off')),
    directive('keepalive_timeout', token(nginxTime(model.idleTimeoutMillis))),
    // 0 turns the check off (https://nginx.org/en/docs/http/ngx_http_core_module.html#client_max_body_size).
    directive('client_max_body_size', model.maxRequestBodyBytes ?? 0),
    {
      ...block('map', [token('$http_upgrade'), token('$sidecar_connection')], [
        directive('default', 'upgrade'),
        entry('', 'close'),
      ]),
      comment: 'WebSocket and other upgrades pass through; every other upstream connection is closed after its request.',
    },
    {
      ...block('map', [token('$http_host'), token('$sidecar_host')], [
        entry('', token('$host')),
        directive('default', token('$http_host')),
      ]),
      comment: 'The Host header the client sent, port included; $host when it sent none.',
    },
    ...(tls ? certificateMaps(tls) : []),
    ...(model.rateLimit ? [{
      // One key for every request: one bucket for the whole proxy, as Envoy's local rate limit.
      ...directive('limit_req_zone', 'proxy', token(`zone=${RATE_LIMIT_ZONE}:1m`), token(`rate=${model.rateLimit.requestsPerSecond}r/s`)),
      comment: 'rateLimit: one bucket shared by every client and worker (shared memory zone).',
    }] : []),
    ...(model.trustedProxyHops > 0 ? trustedProxy() : []),
    block('server', [], server),
  ];

  return renderNginx([
    directive('worker_processes', model.workers),
    directive('pid', tmp('nginx.pid')),
    directive('error_log', token('stderr'), token('warn')),
    block('events', [], [directive('worker_connections', 1024)]),
    block('http', [], http),
  ], [
    'Generated by cdk8s-sidecars (withProxy, nginx). Do not edit: the next synth replaces it.',
  ]);
}

/**
 * How long nginx ≥ 1.27.4 keeps a parsed certificate before it checks the files again. The
 * kubelet itself takes up to its sync period (a minute by default) to update a Secret's files;
 * cert-manager renews a third of the lifetime before expiry, so a minute more is nothing.
 */
export const CERTIFICATE_VALID_SECONDS = 60;

/**
 * The certificate and key paths as variables. nginx reads a certificate named by a constant
 * once, at start or reload, and never notices that the kubelet swapped the Secret's `..data`
 * symlink; one named through variables (1.15.9+) is loaded at the TLS handshake, so a renewed
 * Secret is served without a restart and without a reloader sidecar, which would need
 * `shareProcessNamespace` to signal nginx. nginx 1.27.4+ keeps it in `ssl_certificate_cache`
 * and checks the files again after `valid`; before 1.27.4 each handshake reads the files.
 * The maps are keyed by `$ssl_server_name` only to be evaluated at the handshake: every name
 * gets the one certificate.
 * @see https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate
 * @see https://nginx.org/en/docs/http/ngx_http_ssl_module.html#ssl_certificate_cache
 */
function certificateMaps(tls: NonNullable<ProxyModel['tls']>): NginxDirective[] {
  return [
    {
      ...block('map', [token('$ssl_server_name'), token('$sidecar_tls_certificate')], [directive('default', tls.certificateFile)]),
      comment: 'The TLS Secret\'s files, named through variables so that nginx reads them again after a renewal.',
    },
    block('map', [token('$ssl_server_name'), token('$sidecar_tls_certificate_key')], [directive('default', tls.privateKeyFile)]),
  ];
}

/**
 * `trustedProxyHops: 1`: the client's address is the last one of the X-Forwarded-For received
 * (what the one proxy in front appended), as Envoy's `xff_num_trusted_hops: 1` takes it. The
 * realip module trusts by the peer's address; every address is trusted, and
 * `real_ip_recursive off` stops at the last entry, so one hop is trusted whatever its address.
 * $remote_addr (the access log, X-Real-IP) becomes that client; X-Forwarded-For gets the peer's
 * own address ($realip_remote_addr) appended, as Envoy appends it, and the X-Forwarded-Proto
 * the proxy in front set is kept.
 * @see https://nginx.org/en/docs/http/ngx_http_realip_module.html
 */
function trustedProxy(): NginxDirective[] {
  return [
    {
      ...directive('real_ip_header', 'X-Forwarded-For'),
      comment: 'trustedProxyHops 1: the client is the last address of X-Forwarded-For, whoever the peer is.',
    },
    directive('set_real_ip_from', token('0.0.0.0/0')),
    directive('set_real_ip_from', token('::/0')),
    directive('real_ip_recursive', token('off')),
    block('map', [token('$http_x_forwarded_for'), token('$sidecar_forwarded_for')], [
      entry('', token('$realip_remote_addr')),
      directive('default', '$http_x_forwarded_for, $realip_remote_addr'),
    ]),
    block('map', [token('$http_x_forwarded_proto'), token('$sidecar_forwarded_proto')], [
      entry('', token('$scheme')),
      directive('default', token('$http_x_forwarded_proto')),
    ]),
  ];
}

/** The X-Forwarded-For and X-Forwarded-Proto the app gets. */
function forwarded(model: ProxyModel): { forwardedFor: NginxToken; forwardedProto: NginxToken } {
  return model.trustedProxyHops > 0
    ? { forwardedFor: token('$sidecar_forwarded_for'), forwardedProto: token('$sidecar_forwarded_proto') }
    : { forwardedFor: token('$proxy_add_x_forwarded_for'), forwardedProto: token('$scheme') };
}

function httpLocation(model: ProxyModel): NginxDirective[] {
  const { forwardedFor, forwardedProto } = forwarded(model);
  return [
    directive('proxy_pass', token(`http://127.0.0.1:${model.upstreamPort}`)),
    directive('proxy_http_version', token('1.1')),
    directive('proxy_set_header', 'Host', token('$sidecar_host')),
    directive('proxy_set_header', 'X-Real-IP', token('$remote_addr')),
    directive('proxy_set_header', 'X-Forwarded-For', forwardedFor),
    directive('proxy_set_header', 'X-Forwarded-Proto', forwardedProto),
    directive('proxy_set_header', 'Upgrade', token('$http_upgrade')),
    directive('proxy_set_header', 'Connection', token('$sidecar_connection')),
    ...removedHeaders(model, 'proxy_set_header'),
    directive('proxy_pass_header', 'Server'),
    directive('proxy_connect_timeout', token(nginxTime(model.connectTimeoutMillis))),
    directive('proxy_read_timeout', token(nginxTime(model.requestTimeoutMillis))),
    directive('proxy_send_timeout', token(nginxTime(model.requestTimeoutMillis))),
    {
      ...directive('proxy_request_buffering', token('off')),
      comment: 'Stream bodies both ways, as Envoy does, and never spill responses to temp files.',
    },
    directive('proxy_max_temp_file_size', 0),
  ];
}

/** The shared memory zone of the rate limit. */
const RATE_LIMIT_ZONE = 'sidecar_rate_limit';

/**
 * The response headers, at the server level, so that every location inherits them: nginx takes
 * `add_header` (and `proxy_hide_header`) from the enclosing level only when a location has none
 * of its own, so no location here has any. `always` adds them to every status (without it only
 * to 200, 201, 204, 206, 301, 302, 303, 304, 307, 308), and `proxy_hide_header` drops the app's
 * header of the same name, so the browser sees exactly one, as with Envoy's
 * OVERWRITE_IF_EXISTS_OR_ADD.
 * @see https://nginx.org/en/docs/http/ngx_http_headers_module.html#add_header
 * @see https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_hide_header
 */
function responseHeaders(model: ProxyModel): NginxDirective[] {
  const headers = model.responseHeaders ?? [];
  if (headers.length === 0) return [];
  const hide = model.upstream === 'grpc' ? 'grpc_hide_header' : 'proxy_hide_header';
  return headers.flatMap((h, i) => [
    {
      ...directive(hide, h.name),
      ...(i === 0 ? { comment: 'responseHeaders: on every answer, replacing the app\'s; no location may have add_header of its own, or it loses these.' } : {}),
    },
    directive('add_header', h.name, h.value, token('always')),
  ]);
}

/** `s` with the characters PCRE treats specially escaped. */
function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `proxy_set_header <name> ""` (or grpc_set_header): the header is not passed on, whatever the client sent. */
function removedHeaders(model: ProxyModel, directiveName: string): NginxDirective[] {
  return (model.removeRequestHeaders ?? []).map((name, i) => ({
    ...directive(directiveName, name, ''),
    ...(i === 0 ? { comment: 'removeRequestHeaders: an empty value drops the header the client sent.' } : {}),
  }));
}

function grpcLocation(model: ProxyModel): NginxDirective[] {
  const { forwardedFor, forwardedProto } = forwarded(model);
  return [
    directive('grpc_pass', token(`grpc://127.0.0.1:${model.upstreamPort}`)),
    directive('grpc_set_header', 'X-Real-IP', token('$remote_addr')),
    directive('grpc_set_header', 'X-Forwarded-For', forwardedFor),
    directive('grpc_set_header', 'X-Forwarded-Proto', forwardedProto),
    ...removedHeaders(model, 'grpc_set_header'),
    directive('grpc_connect_timeout', token(nginxTime(model.connectTimeoutMillis))),
    directive('grpc_read_timeout', token(nginxTime(model.requestTimeoutMillis))),
    directive('grpc_send_timeout', token(nginxTime(model.requestTimeoutMillis))),
  ];
}
