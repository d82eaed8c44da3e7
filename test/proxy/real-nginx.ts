/**
 * Drives the real nginx (Debian's package here and in CI) with a configuration synthesized by
 * withProxy, laid out like the pod's mounts (pod-layout.ts).
 *
 * The tests run as root, here and in CI. nginx's master process then runs as root and its
 * workers as the compiled-in default user (`nobody`), because the configuration has no `user`
 * directive (the unprivileged image runs everything as UID 101, where `user` is ignored). The
 * production configuration is not changed for the test; instead the test gives the folders the
 * permissions the pod gives them: the emptyDir is 0777 as in Kubernetes, and the temporary
 * root folder (0700 from mkdtemp) is opened to 0755 so that workers can reach the emptyDir
 * below it. The master, as root, reads the configuration, certificate and key and creates the
 * temp folders, handing them to the worker user.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { PodLayout } from './pod-layout';

/** The nginx on PATH, or undefined when there is none. */
export function nginxBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v nginx || ls /usr/sbin/nginx'], { encoding: 'utf8' });
  const bin = found.stdout.trim().split('\n')[0];
  return bin ? bin : undefined;
}

/** The installed nginx's version, as `1.22.1`. */
export function nginxVersion(bin: string): string {
  const out = spawnSync(bin, ['-v'], { encoding: 'utf8' });
  const match = /nginx\/(\d+\.\d+\.\d+)/.exec(`${out.stderr}${out.stdout}`);
  if (!match) throw new Error(`cannot read the version of ${bin}: ${out.stderr}`);
  return match[1];
}

/** A TCP port nobody listens on now (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** A temporary folder the nginx workers can traverse (see the file comment). */
export function tempRoot(prefix: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(root, 0o755);
  return root;
}

/** A self-signed certificate for localhost and 127.0.0.1, made by openssl. */
export function selfSignedCertificate(dir: string, name = 'test'): { cert: string; key: string } {
  const keyFile = path.join(dir, `${name}-key.pem`);
  const certFile = path.join(dir, `${name}-cert.pem`);
  const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1',
    '-subj', `/CN=localhost/O=${name}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8') };
}

/** `nginx -t` with the container's own arguments; returns its status and output. */
export function nginxTest(bin: string, layout: PodLayout, prefix: string): { status: number | null; output: string } {
  const args = nginxArgs(layout, prefix);
  // A file as stdout: `nginx -t` opens the access log, "/dev/stdout" (see startNginx).
  const stdoutFile = path.join(prefix, 'nginx-t.stdout');
  const stdoutFd = fs.openSync(stdoutFile, 'w');
  try {
    const result = spawnSync(bin, [...args, '-t'], { encoding: 'utf8', stdio: ['ignore', stdoutFd, 'pipe'] });
    return { status: result.status, output: `${fs.readFileSync(stdoutFile, 'utf8')}${result.stderr}` };
  } finally {
    fs.closeSync(stdoutFd);
  }
}

/** The container's arguments with `-p` for the prefix (nginx's compiled-in prefix is /etc/nginx or /usr/share/nginx). */
function nginxArgs(layout: PodLayout, prefix: string): string[] {
  const [command, ...args] = layout.argv;
  if (path.basename(command) !== 'nginx') throw new Error(`the container runs ${command}, not nginx`);
  return ['-p', `${prefix}/`, ...args];
}

/** A running nginx, with what it printed. */
export interface RunningNginx {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts nginx with the container's arguments and waits until `healthUrl` answers. */
export async function startNginx(bin: string, layout: PodLayout, prefix: string, ready: () => Promise<boolean>): Promise<RunningNginx> {
  // nginx opens "/dev/stdout" for the access log, as the image's own configuration does. In a
  // container stdout is a pipe (a FIFO from containerd), which /dev/stdout reopens; the pipes
  // of Node's spawn are UNIX sockets, which cannot be reopened (ENXIO). So nginx gets a file.
  const stdoutFile = path.join(prefix, 'nginx.stdout');
  const stdoutFd = fs.openSync(stdoutFile, 'a');
  const child = spawn(bin, nginxArgs(layout, prefix), { stdio: ['ignore', stdoutFd, 'pipe'] });
  fs.closeSync(stdoutFd);
  const out = () => fs.readFileSync(stdoutFile, 'utf8');
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running: RunningNginx = {
    process: child,
    stdout: out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise<void>((resolve) => { timer = setTimeout(resolve, 5000); })]);
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    },
  };
  const deadline = Date.now() + 10000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}: ${err}`);
    if (await ready().catch(() => false)) return running;
    if (Date.now() > deadline) {
      await running.stop();
      throw new Error(`nginx did not answer within 10 s: ${err}`);
    }
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What the test app saw of one request. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly bodyLength: number;
}

/**
 * A small HTTP/1.1 app on 127.0.0.1 that answers every request with what it saw, as JSON, and
 * accepts every upgrade (WebSocket or other) with 101, then echoes every byte it receives.
 */
export async function startEchoApp(): Promise<{ port: number; seen: SeenRequest[]; close: () => Promise<void> }> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    let length = 0;
    req.on('data', (chunk: Buffer) => { length += chunk.length; });
    req.on('end', () => {
      const request = { method: req.method!, url: req.url!, headers: req.headers, bodyLength: length };
      seen.push(request);
      // `x-app-frame-options` asks the app to send an X-Frame-Options of its own (a header the
      // proxy's responseHeaders replace).
      const frame = req.headers['x-app-frame-options'];
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-app': 'echo',
        'server': 'echo-app/1.0',
        ...(typeof frame === 'string' ? { 'x-frame-options': frame } : {}),
      });
      res.end(JSON.stringify(request));
    });
  });
  const upgraded = new Set<net.Socket>();
  server.on('upgrade', (req, socket: net.Socket, head: Buffer) => {
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, bodyLength: 0 });
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    seen,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      for (const socket of upgraded) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
