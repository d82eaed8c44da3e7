/**
 * The signal script, run for real: with dash and bash (POSIX sh; the git-sync image has bash as
 * /bin/sh, k8s-sidecar's alpine image busybox ash), against processes this test starts under
 * names no other process has. It only ever signals those.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROCESS_NAME, signalScript } from '../../lib/engine/signal-script';

const SHELLS = ['/bin/dash', '/bin/bash'].filter((s) => fs.existsSync(s));

let dir: string;
const started: ChildProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-signal-'));
});

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

/** A copy of `binary` under a unique name, so /proc/<pid>/comm is that name. */
function program(binary: string, name: string): string {
  const file = path.join(dir, name);
  fs.copyFileSync(binary, file);
  fs.chmodSync(file, 0o755);
  return file;
}

function start(file: string, args: string[]): ChildProcess {
  const child = spawn(file, args, { stdio: 'ignore' });
  started.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.signalCode ?? child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
}

async function waitForComm(pid: number, comm: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} never showed comm ${comm}`);
}

function run(shell: string, script: string): string {
  const file = path.join(dir, `reload-${path.basename(shell)}.sh`);
  fs.writeFileSync(file, script, { mode: 0o555 });
  return execFileSync(shell, [file], { encoding: 'utf8' });
}

describe.each(SHELLS)('the signal script under %s', (shell) => {
  test('signals the named process and says so', async () => {
    const name = `cfs${process.pid % 100000}${path.basename(shell)[0]}a`;
    const sleeper = start(program('/bin/sleep', name), ['60']);
    await waitForComm(sleeper.pid!, name);

    const out = run(shell, signalScript({ signal: 'USR1', process: name }));
    expect(out.trim()).toBe(`config-sync: sent SIGUSR1 to 1 process(es) named ${name}`);
    expect(await exited(sleeper)).toBe('SIGUSR1'); // sleep has no handler: the signal ends it
  });

  test('signals the master, not its workers of the same name', async () => {
    const name = `cfs${process.pid % 100000}${path.basename(shell)[0]}b`;
    const sh = program('/bin/bash', name);
    // The parent runs a child of the same name (a second copy of bash), then waits.
    const parent = start(sh, ['-c', `"${sh}" -c 'sleep 60; true' & wait`]);
    await waitForComm(parent.pid!, name);
    let childPid: number | undefined;
    for (let i = 0; i < 200 && childPid === undefined; i++) {
      const children = fs.readFileSync(`/proc/${parent.pid}/task/${parent.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      childPid = children.map(Number).find((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name;
        } catch {
          return false;
        }
      });
      if (childPid === undefined) await new Promise((r) => setTimeout(r, 10));
    }
    expect(childPid).toBeDefined();

    const out = run(shell, signalScript({ signal: 'HUP', process: name }));
    expect(out.trim()).toBe(`config-sync: sent SIGHUP to 1 process(es) named ${name}`);
    expect(await exited(parent)).toBe('SIGHUP');
    expect(fs.readFileSync(`/proc/${childPid}/comm`, 'utf8').trim()).toBe(name); // the worker lives on
    process.kill(childPid!, 'SIGKILL');
  });

  test('does nothing, and succeeds, when no such process runs (the first sync, before the app)', () => {
    const out = run(shell, signalScript({ signal: 'HUP', process: 'no-such-proc-x' }));
    expect(out.trim()).toBe('config-sync: sent SIGHUP to 0 process(es) named no-such-proc-x');
  });
});

describe('signalScript', () => {
  test('quotes the name, and refuses one that could break out of the quotes', () => {
    expect(signalScript({ signal: 'HUP', process: 'nginx' })).toContain("name='nginx'\n");
    for (const bad of ["ng'inx", 'a b', 'x;reboot', '$(id)', 'a-name-of-16-chr', '']) {
      expect(PROCESS_NAME.test(bad)).toBe(false);
      expect(() => signalScript({ signal: 'HUP', process: bad })).toThrow('refusing process');
    }
    expect(() => signalScript({ signal: 'HUP;id', process: 'nginx' })).toThrow('refusing');
  });

  test('is a POSIX sh script: dash parses it (sh -n)', () => {
    const file = path.join(dir, 'parse.sh');
    fs.writeFileSync(file, signalScript({ signal: 'USR2', process: 'haproxy' }));
    expect(() => execFileSync('/bin/sh', ['-n', file])).not.toThrow();
  });
});
