/**
 * memcached's side of withCache, pure: the model in, the command line and the probe command out.
 * memcached has no configuration file; everything is a flag.
 *
 * @see https://github.com/memcached/memcached/wiki/ConfiguringServer
 * @see `memcached --help` (memcached.c usage())
 */
import { CACHE_BINARIES, CacheModel } from './model';
import { CacheEviction } from './options';

/** memcached's flags. */
export function memcachedArgs(model: CacheModel): string[] {
  // -m: item memory in megabytes (MiB: memcached multiplies by 1024 * 1024).
  const args = ['-m', String(model.maxMemoryBytes / (1024 * 1024))];
  if (model.listen.kind === 'loopback') {
    // -l: the address to listen on; -U 0: no UDP (the default since 1.5.6, stated).
    args.push('-l', '127.0.0.1', '-p', String(model.listen.port), '-U', '0');
  } else {
    // -s: a Unix socket instead of the network ("disables network support"); -a: its mode, in
    // octal (default 0700, the owner only): the app runs as its own UID.
    args.push('-s', model.listen.socket, '-a', '0777');
  }
  // -M: return an error when memory is exhausted instead of evicting items.
  if (model.eviction === CacheEviction.NO_EVICTION) args.push('-M');
  return args;
}

/** The container's command. */
export function memcachedCommand(model: CacheModel): { command: string[]; args: string[] } {
  return { command: [CACHE_BINARIES.memcached], args: memcachedArgs(model) };
}

/**
 * The probe. Over TCP: bash's `/dev/tcp` (the image is debian:trixie-slim, which has bash and no
 * other client) sends `version` and expects `VERSION …`. Over a Unix socket, which bash cannot
 * open and the image has no client for, the probe checks that the socket exists: memcached
 * creates it once it listens.
 */
export function memcachedProbeCommand(model: CacheModel): string[] {
  if (model.listen.kind === 'unixSocket') return ['/bin/sh', '-c', `[ -S ${model.listen.socket} ]`];
  return ['/bin/bash', '-c',
    `exec 3<>/dev/tcp/127.0.0.1/${model.listen.port} && printf 'version\\r\\n' >&3 && IFS= read -r -t 2 reply <&3 && [[ $reply == VERSION* ]]`];
}
