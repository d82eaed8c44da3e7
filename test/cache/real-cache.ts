/**
 * Running withCache's generated container for real, on this machine: the command, arguments,
 * environment and probes read from the synthesized pod, with the image's paths remapped to
 * Debian's packages (redis-server/redis-cli 7.0, memcached 1.6) and to temporary folders, the
 * kubelet's `$(VAR)` expansion applied, the server run as the image's UID and the app side as
 * another UID, as in the pod.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { podSpecOf } from '../util/restricted';
import { find } from '../util/synth';

/** The UID the app containers run as in these tests: not the cache's, not root. */
export const APP_UID = 1000;

/** Image paths → this machine's (Debian packages). */
const BINARIES: Record<string, string> = {
  '/usr/local/bin/valkey-server': '/usr/bin/redis-server',
  '/usr/local/bin/valkey-cli': '/usr/bin/redis-cli',
  '/usr/local/bin/memcached': '/usr/bin/memcached',
};

export function requireBinaries(): void {
  const missing = Object.values(BINARIES).filter((b) => !fs.existsSync(b));
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} missing: the cache tests run the real programs `
      + '(apt-get install redis-server memcached; .ci/run installs them)');
  }
}

const made: string[] = [];

/** A folder under the system temp folder, with the mode a pod's folder would have. */
export function tempDir(prefix: string, mode = 0o755): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, mode);
  made.push(dir);
  return dir;
}

/** Removes every folder tempDir made. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The kubelet's `$(VAR)` expansion of command, args and probe commands
 * (kubernetes third_party/forked/golang/expansion/expand.go): `$$` is a literal `$`, `$(NAME)` the
 * value of a variable the container defines, anything else is left as it is.
 */
export function kubeExpand(input: string, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) {
      out += input[i];
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i++;
      } else {
        const name = input.slice(i + 2, close);
        out += Object.prototype.hasOwnProperty.call(env, name) ? env[name] : `$(${name})`;
        i = close;
      }
    } else {
      out += `$${next}`;
      i++;
    }
  }
  return out;
}

/** What the pod holds for the cache and the app, from the synthesized manifests. */
export interface CachePod {
  /** The cache container. */
  readonly cache: any;
  /** The first app container. */
  readonly app: any;
  /** ConfigMap files of the cache, by name. */
  readonly files: Record<string, string>;
}

export function cachePod(manifests: any[], cacheName = 'cache'): CachePod {
  const spec = podSpecOf(find(manifests, 'Deployment'));
  const cache = [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === cacheName);
  const app = spec.containers[0];
  const configVolume = spec.volumes?.find((v: any) => v.name === `${cacheName}-config`);
  const files = configVolume ? find(manifests, 'ConfigMap', `${cacheName}-config`).data : {};
  return { cache, app, files };
}

/** A container's environment as the kubelet gives it, secretKeyRefs resolved from `secrets` (name/key → value). */
export function resolveEnv(container: any, secrets: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = kubeExpand(e.value, env);
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const value = secrets[`${ref.name}/${ref.key}`];
      if (value === undefined) throw new Error(`no test value for Secret ${ref.name} key ${ref.key}`);
      env[e.name] = value;
    } else {
      throw new Error(`env ${e.name}: unsupported source ${JSON.stringify(e.valueFrom)}`);
    }
  }
  return env;
}

/** Paths of the pod → folders here. */
export interface Layout {
  /** Where /etc/cache (the ConfigMap) is. */
  readonly configDir: string;
  /** Where Valkey's `dir` (/data, read-only in the pod) is. */
  readonly dataDir: string;
}

/** Writes the ConfigMap's files under `layout.configDir`, paths remapped. */
export function layOut(pod: CachePod, layout: Layout): void {
  for (const [file, text] of Object.entries(pod.files)) {
    fs.writeFileSync(path.join(layout.configDir, file), remap(text, layout), { mode: 0o644 });
  }
}

/** One string of the pod with the image's paths replaced by this machine's. */
export function remap(text: string, layout: Layout): string {
  let out = text.split('/etc/cache/').join(`${layout.configDir}/`).replace(/^dir \/data$/m, `dir ${layout.dataDir}`);
  for (const [from, to] of Object.entries(BINARIES)) out = out.split(from).join(to);
  return out;
}

/** A command line of the pod (command + args, or a probe's exec command), expanded and remapped. */
export function commandLine(parts: string[], env: Record<string, string>, layout: Layout): string[] {
  return parts.map((p) => remap(kubeExpand(p, env), layout));
}

export interface Running {
  readonly process: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts the cache container's command as `uid`, with exactly its environment (and a PATH). */
export function startContainer(pod: CachePod, env: Record<string, string>, layout: Layout, uid: number): Running {
  const [bin, ...rest] = commandLine([...pod.cache.command, ...(pod.cache.args ?? [])], env, layout);
  const child = spawn(bin, rest, {
    uid, gid: uid, env: { ...env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'], cwd: layout.dataDir,
  });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Runs a probe's exec command as the kubelet would, in the container's environment as `uid`; its exit status. */
export function runProbe(probe: any, env: Record<string, string>, layout: Layout, uid: number): number {
  const [bin, ...rest] = commandLine(probe.exec.command, env, layout);
  const run = spawnSync(bin, rest, {
    uid, gid: uid, env: { ...env, PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, timeout: probe.timeoutSeconds * 1000, encoding: 'utf8',
  });
  return run.status ?? -1;
}

/** Runs the startup probe every `periodSeconds` until it passes, as the kubelet does; fails after `failureThreshold`. */
export async function waitForStartup(pod: CachePod, env: Record<string, string>, layout: Layout, uid: number, running: Running): Promise<number> {
  const probe = pod.cache.startupProbe;
  for (let attempt = 1; attempt <= probe.failureThreshold; attempt++) {
    if (runProbe(probe, env, layout, uid) === 0) return attempt;
    if (running.process.exitCode !== null) throw new Error(`the cache exited with ${running.process.exitCode}:\n${running.output()}`);
    await new Promise((r) => setTimeout(r, probe.periodSeconds * 1000));
  }
  throw new Error(`the startup probe never passed:\n${running.output()}`);
}

/** A connection per the URL the app gets (`redis://127.0.0.1:6379`, `memcached://…`, `unix:///…`). */
export function connectTo(url: string): net.Socket {
  const parsed = new URL(url);
  return parsed.protocol === 'unix:'
    ? net.createConnection({ path: parsed.pathname })
    : net.createConnection({ host: parsed.hostname, port: Number(parsed.port) });
}

// -- RESP (the Redis protocol), enough for these tests ---------------------------------------

export type Reply = string | number | null | Error | Reply[];

/** A RESP client on one connection: `await client.call('SET', 'k', 'v')`. */
export class RespClient {
  public static async open(url: string): Promise<RespClient> {
    const socket = connectTo(url);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RespClient(socket);
  }

  private buffer = Buffer.alloc(0);
  private readonly waiting: Array<(reply: Reply) => void> = [];

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const parsed = parseReply(this.buffer, 0);
        if (!parsed) break;
        this.buffer = this.buffer.subarray(parsed.end);
        this.waiting.shift()?.(parsed.reply);
      }
    });
  }

  public call(...args: Array<string | Buffer>): Promise<Reply> {
    const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
    for (const arg of args) {
      const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(arg);
      parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${String(args[0])} within 10 s`)), 10_000);
      this.waiting.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.socket.write(Buffer.concat(parts));
    });
  }

  public close(): void {
    this.socket.destroy();
  }
}

function parseReply(buf: Buffer, at: number): { reply: Reply; end: number } | undefined {
  const lineEnd = buf.indexOf('\r\n', at);
  if (lineEnd < 0) return undefined;
  const line = buf.toString('utf8', at + 1, lineEnd);
  switch (String.fromCharCode(buf[at])) {
    case '+': return { reply: line, end: lineEnd + 2 };
    case '-': return { reply: new Error(line), end: lineEnd + 2 };
    case ':': return { reply: Number(line), end: lineEnd + 2 };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: lineEnd + 2 };
      if (buf.length < lineEnd + 2 + length + 2) return undefined;
      return { reply: buf.toString('utf8', lineEnd + 2, lineEnd + 2 + length), end: lineEnd + 2 + length + 2 };
    }
    case '*': {
      const count = Number(line);
      const items: Reply[] = [];
      let end = lineEnd + 2;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, end);
        if (!item) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default: throw new Error(`unexpected RESP reply: ${buf.toString('utf8', at, Math.min(buf.length, at + 40))}`);
  }
}

/** `INFO <section>` as a map. */
export async function info(client: RespClient, section: string): Promise<Record<string, string>> {
  const text = await client.call('INFO', section) as string;
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
}

// -- memcached's text protocol ---------------------------------------------------------------

/** Sends one memcached text command and reads until a line that ends the reply (END, STORED, …). */
export function memcachedCall(url: string, request: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connectTo(url);
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`memcached: no complete reply within 10 s: ${data}`));
    }, 10_000);
    socket.on('error', reject);
    socket.on('data', (d) => {
      data += d;
      if (/(^|\r\n)(END|STORED|NOT_STORED|DELETED|NOT_FOUND|ERROR|SERVER_ERROR[^\r]*|CLIENT_ERROR[^\r]*|VERSION [^\r]*)\r\n$/.test(data)) {
        clearTimeout(timer);
        socket.end();
        resolve(data);
      }
    });
    socket.write(request);
  });
}

/** `stats` or `stats settings` as a map. */
export async function memcachedStats(url: string, which = ''): Promise<Record<string, string>> {
  const text = await memcachedCall(url, `stats${which ? ` ${which}` : ''}\r\n`);
  return Object.fromEntries(text.split('\r\n').filter((l) => l.startsWith('STAT ')).map((l) => {
    const [, key, ...value] = l.split(' ');
    return [key, value.join(' ')];
  }));
}

/**
 * What the app container, running as `uid` with exactly its environment, gets back for one request
 * over the URL in `urlEnv`: a node one-liner standing in for the app.
 */
export function asApp(
  appEnv: Record<string, string>, urlEnv: string, request: string, uid = APP_UID,
): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const net = require('net');
    const u = new URL(process.env[${JSON.stringify(urlEnv)}]);
    const s = u.protocol === 'unix:' ? net.createConnection({ path: u.pathname }) : net.createConnection({ host: u.hostname, port: Number(u.port) });
    s.setTimeout(5000, () => { console.error('timeout'); process.exit(3); });
    s.on('error', (e) => { console.error(e.code || e.message); process.exit(2); });
    s.on('data', (d) => { process.stdout.write(d); if (String(d).endsWith('\\r\\n')) s.end(); });
    s.write(${JSON.stringify(request)});
  `;
  const run = spawnSync(process.execPath, ['-e', script], { uid, gid: uid, env: { ...appEnv }, encoding: 'utf8', timeout: 10_000, cwd: '/' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
