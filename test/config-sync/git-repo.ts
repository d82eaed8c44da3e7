/**
 * A real git repository in a temporary folder, and git-sync's sync steps replayed with the
 * machine's git, to prove the arguments withConfigSync renders against real git.
 *
 * The steps follow kubernetes/git-sync main.go (v4): `initRepo` (`git init -b git-sync` in
 * --root, remote "origin"), `fetch` (`git fetch <repo> <ref> --verbose --no-progress --prune
 * --no-auto-gc [--depth N]`), `rev-parse FETCH_HEAD^{}`, `reset --soft`, `createWorktree`
 * (`git worktree add --force --detach <root>/.worktrees/<hash> <hash> --no-checkout`),
 * `configureWorktree` (a relative `gitdir:` in the worktree's .git file, `reset --hard`,
 * `submodule update --init --recursive`), `publishSymlink` (a relative symlink made as
 * `tmp-link`, then renamed over --link) and `cleanup` (stale worktrees removed, `worktree prune`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** git with no user or system configuration, as git-sync runs it (GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: 'true',
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();
}

export interface Upstream {
  /** The temporary folder holding everything. */
  readonly dir: string;
  /** `file://` URL of the bare repository. */
  readonly url: string;
  /** Adds a commit on `main` writing `files`, pushes it; returns its hash. */
  commit(files: Record<string, string>, message?: string): string;
  /** Tags HEAD of main (annotated) and pushes the tag. */
  tag(name: string): void;
}

/** A bare repository served as file://, with a work clone to push commits from. */
export function upstream(): Upstream {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-sidecars-git-'));
  const bare = path.join(dir, 'app-config.git');
  const work = path.join(dir, 'work');
  git(dir, 'init', '--bare', '-b', 'main', bare);
  git(dir, 'clone', '-q', bare, work);
  git(work, 'checkout', '-q', '-b', 'main');
  return {
    dir,
    url: `file://${bare}`,
    commit(files, message = 'update') {
      for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        fs.writeFileSync(path.join(work, file), text);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', message);
      git(work, 'push', '-q', 'origin', 'main');
      return git(work, 'rev-parse', 'HEAD');
    },
    tag(name) {
      git(work, 'tag', '-a', name, '-m', name);
      git(work, 'push', '-q', 'origin', name);
    },
  };
}

/** The value of `--flag=value` in git-sync's arguments. */
export function flag(args: string[], name: string): string | undefined {
  const prefix = `--${name}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/**
 * One pass of git-sync's sync loop over `args` (the flags withConfigSync rendered). Returns the
 * synced hash and whether the link changed.
 */
export function syncOnce(args: string[]): { hash: string; changed: boolean } {
  const repo = flag(args, 'repo')!;
  const ref = flag(args, 'ref') ?? 'HEAD';
  const root = flag(args, 'root')!;
  const link = path.join(root, flag(args, 'link')!);
  const depth = Number(flag(args, 'depth') ?? '1');

  fs.mkdirSync(root, { recursive: true });
  if (!fs.existsSync(path.join(root, '.git'))) {
    git(root, 'init', '-q', '-b', 'git-sync');
    git(root, 'remote', 'add', 'origin', repo);
  }
  const fetch = ['fetch', repo, ref, '--verbose', '--no-progress', '--prune', '--no-auto-gc'];
  if (depth > 0) fetch.push('--depth', String(depth));
  git(root, ...fetch);
  const hash = git(root, 'rev-parse', 'FETCH_HEAD^{}');

  const current = fs.existsSync(link) ? path.basename(fs.readlinkSync(link)) : '';
  if (current === hash) return { hash, changed: false };

  git(root, 'reset', '--soft', hash);
  const worktree = path.join(root, '.worktrees', hash);
  git(root, 'worktree', 'add', '--force', '--detach', worktree, hash, '--no-checkout');
  const rootDotGit = path.join(path.relative(worktree, root), '.git');
  fs.writeFileSync(path.join(worktree, '.git'), `gitdir: ${path.join(rootDotGit, 'worktrees', hash)}\n`);
  git(worktree, 'reset', '-q', '--hard', hash, '--');
  git(worktree, 'submodule', 'update', '--init', '--recursive', ...(depth > 0 ? ['--depth', String(depth)] : []));

  const linkDir = path.dirname(link);
  fs.symlinkSync(path.relative(linkDir, worktree), path.join(linkDir, 'tmp-link'));
  fs.renameSync(path.join(linkDir, 'tmp-link'), link);

  for (const stale of fs.readdirSync(path.join(root, '.worktrees'))) {
    if (stale !== hash) fs.rmSync(path.join(root, '.worktrees', stale), { recursive: true, force: true });
  }
  git(root, 'worktree', 'prune');
  return { hash, changed: true };
}
