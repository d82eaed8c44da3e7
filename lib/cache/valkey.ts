/**
 * Valkey's side of withCache, pure: the model in, `valkey.conf`, the command and the probe
 * command out.
 *
 * Every directive here is one that Valkey 7.2 to 9.x and Redis 7.0 read alike (the real-program
 * suite, test/real/cache.test.ts, runs the file in Debian's redis-server 7.0).
 *
 * @see https://valkey.io/topics/valkey.conf/
 */
import { CACHE_BINARIES, CACHE_PATHS, CacheModel, PASSWORD_ENV } from './model';

/** The configuration file's name in the ConfigMap. */
export const VALKEY_CONF = 'valkey.conf';

/** The configuration file. */
export function renderValkeyConf(model: CacheModel): string {
  const lines: string[] = [
    '# valkey.conf written by cdk8s-sidecars withCache: a private cache beside the app.',
    '# Directives read alike by Valkey 7.2+ and Redis 7.0+ (https://valkey.io/topics/valkey.conf/).',
    '',
  ];
  if (model.listen.kind === 'loopback') {
    lines.push(
      '# TCP on the loopback interface only: the containers of this pod share it, nothing else does.',
      'bind 127.0.0.1',
      `port ${model.listen.port}`,
    );
  } else {
    lines.push(
      '# No TCP at all; a Unix socket in an emptyDir that only this pod\'s app containers mount (read-only).',
      'port 0',
      `unixsocket ${model.listen.socket}`,
      '# Any user: the app runs as its own UID, and only the containers that mount the folder reach the socket.',
      'unixsocketperm 777',
    );
  }
  lines.push(
    '# The official image compiles protected mode off ("unnecessary in context of Docker"); on again:',
    '# without a password, only loopback and Unix-socket clients are served.',
    'protected-mode yes',
    '',
    '# A cache: bounded, evicting, nothing on disk (no RDB snapshot, no AOF), so the root',
    '# filesystem stays read-only and `dir` is never written.',
    `maxmemory ${model.maxMemoryBytes}`,
    `maxmemory-policy ${model.eviction}`,
    'save ""',
    'appendonly no',
    `dir ${CACHE_PATHS.data}`,
    '',
    '# Refuse CONFIG SET of dir and the like, DEBUG and MODULE from clients (the defaults, stated).',
    'enable-protected-configs no',
    'enable-debug-command no',
    'enable-module-command no',
    '',
    '# Log to stdout, for kubectl logs.',
    'logfile ""',
  );
  if (model.password) {
    lines.push('', `# requirepass is read from standard input at start (the container's command), from ${PASSWORD_ENV}.`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The container's command and arguments.
 *
 * Without a password, `valkey-server <file>`. With one, a POSIX sh script that hands the server
 * `requirepass` on standard input (`valkey-server <file> -` reads its configuration from the file,
 * then from stdin: valkey-io/valkey src/server.c, "Should we read config from stdin?"), as a
 * double-quoted string of `\xHH` escapes of every byte, so that no byte of the password (quotes,
 * spaces, line breaks) can end the string or start another directive. The password comes from
 * the container's environment (a secretKeyRef); it is never in the pod spec, the ConfigMap, a
 * file, or the server's command line. `exec` leaves the server as the container's first process,
 * so it gets SIGTERM itself. `$(...)` is not a Kubernetes `$(VAR)` reference: the kubelet leaves
 * references to variables the container does not define as they are.
 */
export function valkeyCommand(model: CacheModel): { command: string[]; args: string[] } {
  const conf = `${CACHE_PATHS.config}/${VALKEY_CONF}`;
  if (!model.password) return { command: [CACHE_BINARIES.valkeyServer], args: [conf] };
  const script = [
    'set -eu',
    `if [ -z "\${${PASSWORD_ENV}:-}" ]; then echo "withCache: the password (${PASSWORD_ENV}, from the Secret) is empty" >&2; exit 1; fi`,
    `p=$(printf %s "$${PASSWORD_ENV}" | od -An -v -tx1 | tr -d ' \\n' | sed 's/../\\\\x&/g')`,
    `exec ${CACHE_BINARIES.valkeyServer} ${conf} - <<EOF`,
    'requirepass "$p"',
    'EOF',
  ].join('\n');
  return { command: ['/bin/sh', '-c'], args: [script] };
}

/**
 * The probe: `PING` through valkey-cli, answered `PONG`. valkey-cli exits 0 on an error reply
 * such as `NOAUTH` (so does redis-cli 7.0), hence the comparison. With a password, valkey-cli
 * authenticates from `REDISCLI_AUTH` in the container's environment.
 */
export function valkeyProbeCommand(model: CacheModel): string[] {
  const target = model.listen.kind === 'loopback' ? `-h 127.0.0.1 -p ${model.listen.port}` : `-s ${model.listen.socket}`;
  return ['/bin/sh', '-c', `[ "$(${CACHE_BINARIES.valkeyCli} ${target} ping)" = PONG ]`];
}
