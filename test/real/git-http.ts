/**
 * Local servers for the real git-sync: a git smart-HTTP server that requires basic
 * authentication (git's own `git http-backend`, run as a CGI program by a small Node server),
 * and a webhook receiver that records what it gets. Both listen on 127.0.0.1 only.
 */
import { spawn } from 'child_process';
import * as http from 'http';
import { AddressInfo } from 'net';

/** A listening server on 127.0.0.1 and how to stop it. */
export interface Listening {
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<Listening> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface GitHttpServer extends Listening {
  /** Requests refused for missing or wrong credentials, and requests served. */
  readonly counts: { refused: number; served: number };
  /** `http://127.0.0.1:<port>/<repository>` for a bare repository under the project root. */
  url(repository: string): string;
}

/**
 * Serves the bare repositories under `projectRoot` over git's smart-HTTP protocol, to clients
 * that authenticate as `username`/`password` (HTTP basic); others get 401.
 */
export async function gitHttpServer(projectRoot: string, username: string, password: string): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const counts = { refused: 0, served: 0 };
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      counts.refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end();
      return;
    }
    counts.served++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // The CGI variables git http-backend reads (git-http-backend(1)).
    const backend = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        REQUEST_METHOD: req.method ?? 'GET',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        REMOTE_USER: username,
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    req.pipe(backend.stdin);
    backend.stdin.on('error', () => undefined);
    // CGI response: header lines, a blank line, then the body.
    let head = Buffer.alloc(0);
    let headersSent = false;
    backend.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const [key, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
        if (key.toLowerCase() === 'status') status = parseInt(value, 10);
        else headers[key] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(end + 4));
    });
    backend.on('close', () => {
      if (!headersSent) res.writeHead(500);
      res.end();
    });
  });
  const listening = await listen(server);
  return { ...listening, counts, url: (repository) => `http://127.0.0.1:${listening.port}/${repository}` };
}

/** One request the webhook receiver got. */
export interface Hook {
  readonly method: string;
  readonly path: string;
  /** git-sync's `Gitsync-Hash` header: the commit it published. */
  readonly hash?: string;
}

export interface WebhookReceiver extends Listening {
  readonly hooks: Hook[];
}

/** Records every request and answers 200, as the app's reload endpoint would. */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const hooks: Hook[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const hash = req.headers['gitsync-hash'];
      hooks.push({ method: req.method ?? '', path: req.url ?? '', hash: typeof hash === 'string' ? hash : undefined });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('reloaded\n');
    });
  });
  return { ...(await listen(server)), hooks };
}

/** The status of GET http://127.0.0.1:<port><path>, or the connection error's code. */
export function httpStatus(port: number, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

/** Polls `check` every 100 ms until it returns a value other than undefined, for at most `ms`. */
export async function waitFor<T>(what: string, ms: number, check: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
