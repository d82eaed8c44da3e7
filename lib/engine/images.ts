/**
 * Every upstream image this library runs, pinned to an exact tag, with the user it runs as
 * and where both were read. A version bump is one line here.
 *
 * The UID and GID matter: the restricted profile needs a non-zero UID, the kubelet refuses a
 * non-numeric USER under `runAsNonRoot`, and files on shared volumes are owned by whoever
 * writes them.
 */

/** An upstream container image pinned to one tag. */
export interface UpstreamImage {
  /** Registry and repository, without tag. */
  readonly repository: string;
  /** The exact tag. */
  readonly tag: string;
  /** The numeric UID the image's program runs as. */
  readonly user: number;
  /** The numeric GID the image's program runs as. */
  readonly group: number;
  /** Where the tag, user and group were read. */
  readonly source: string;
}

/** `repository:tag`. */
export function imageReference(image: UpstreamImage): string {
  return `${image.repository}:${image.tag}`;
}

// Each capability keeps its images in its own block below.

// -- log shipper (lib/log-shipper) ------------------------------------------------------------

/**
 * Fluent Bit, the default log shipper.
 *
 * Tag: 5.1.3, the newest stable release seen (fluent/helm-charts chart fluent-bit 0.58.3 has
 * appVersion 5.1.3, chart index read 2026-10-09; 5.1.x is the current stable line, 5.0 and 4.2
 * receive backports only: fluent/fluent-bit MAINTENANCE.md). `cr.fluentbit.io` is the project's
 * own registry, the one its Helm chart pulls from.
 *
 * User: the image is built `FROM gcr.io/distroless/cc-debian13` with no `USER` line
 * (fluent/fluent-bit dockerfiles/Dockerfile), so it runs as root (UID 0) unless told otherwise.
 * Nothing in it needs root: `/fluent-bit/bin/fluent-bit` is installed 0755 and the config files
 * 0644, both world-readable. We run it as 65532:65532, the `nonroot` user that every distroless
 * base image lists in its /etc/passwd (GoogleContainerTools/distroless base/base.bzl), and give it
 * writable emptyDirs for everything it writes (tail offsets database, filesystem buffer, S3
 * staging). It reads the app's log files as "other" (files created with the usual umask 022 are
 * 0644); see docs/log-shipper.md for apps with a stricter umask.
 */
export const FLUENT_BIT_IMAGE: UpstreamImage = {
  repository: 'cr.fluentbit.io/fluent/fluent-bit',
  tag: '5.1.3',
  user: 65532,
  group: 65532,
  source: 'https://github.com/fluent/fluent-bit/blob/master/dockerfiles/Dockerfile (FROM gcr.io/distroless/cc-debian13, no USER); '
    + 'tag: https://fluent.github.io/helm-charts/index.yaml (fluent-bit 0.58.3, appVersion 5.1.3)',
};

/**
 * Vector, the alternative log shipper.
 *
 * Tag: 0.59.0, the newest release seen (Vector ships a minor release every six weeks or so:
 * 0.57.0 2026-07-14, 0.58 release issue vectordotdev/vector#26136 2026-08-18, 0.59.0 in use
 * since). The `-distroless-libc` variant: glibc build on `gcr.io/distroless/cc-debian12`, no
 * shell or package manager (vectordotdev/vector distribution/docker/distroless-libc/Dockerfile).
 *
 * User: that Dockerfile has no `USER` line either, so the image runs as root; Vector needs no
 * privilege to tail files and send them. We run it as 65532:65532, the distroless `nonroot`
 * user, with its `data_dir` (file checkpoints, disk buffers) on a writable emptyDir.
 */
export const VECTOR_IMAGE: UpstreamImage = {
  repository: 'timberio/vector',
  tag: '0.59.0-distroless-libc',
  user: 65532,
  group: 65532,
  source: 'https://github.com/vectordotdev/vector/blob/master/distribution/docker/distroless-libc/Dockerfile '
    + '(FROM gcr.io/distroless/cc-debian12, no USER); tag: https://hub.docker.com/r/timberio/vector/tags',
};

// -- proxy (lib/proxy) -------------------------------------------------------------------------

/**
 * Envoy, the default engine of `withProxy`.
 *
 * v1.40.2 (27 October 2026) is the newest stable release in Envoy's version history
 * (https://www.envoyproxy.io/docs/envoy/v1.40.2/version_history/v1.39/v1.39.html lists
 * "v1.40: 1.40.2 (October 27, 2026)"). The image is built from
 * envoyproxy/envoy distribution/docker/Dockerfile-envoy (Ubuntu base, `adduser --group --system
 * envoy`, binary at /usr/local/bin/envoy, ENTRYPOINT /docker-entrypoint.sh). The `envoy` user
 * has UID and GID 101 (docs/root/start/docker.rst: "The default uid and gid for the envoy user
 * are 101"). The entrypoint, when started as root, chowns /dev/stdout and switches user with
 * su-exec (`ENVOY_UID`); a pod running as 101 with a read-only root filesystem must not go
 * through it, so `withProxy` runs /usr/local/bin/envoy directly.
 */
export const ENVOY_IMAGE: UpstreamImage = {
  repository: 'docker.io/envoyproxy/envoy',
  tag: 'v1.40.2',
  user: 101,
  group: 101,
  source: 'https://www.envoyproxy.io/docs/envoy/v1.40.2/version_history/v1.39/v1.39.html; '
    + 'github.com/envoyproxy/envoy distribution/docker/Dockerfile-envoy, docs/root/start/docker.rst',
};

/**
 * nginx built to run as a non-root user (the `ProxyEngine.NGINX` engine of `withProxy`).
 *
 * 1.30.5 is the newest nginx stable release seen in the image histories (ENV NGINX_VERSION=1.30.5,
 * September 2026; the 1.30 branch fixed CVE-2026-42055 in the gRPC/HTTP2 proxy modules in 1.30.3).
 * The image (nginx/docker-nginx-unprivileged, stable/debian/Dockerfile) creates the `nginx`
 * user with `ARG UID=101` / `ARG GID=101` and ends with `USER $UID`; it removes the `user`
 * directive, moves the pid file to /tmp/nginx.pid and every `*_temp_path` to /tmp, and listens
 * on 8080. `withProxy` replaces nginx.conf entirely and mounts an emptyDir at /tmp for the pid
 * file and temp paths.
 */
export const NGINX_IMAGE: UpstreamImage = {
  repository: 'docker.io/nginxinc/nginx-unprivileged',
  tag: '1.30.5',
  user: 101,
  group: 101,
  source: 'github.com/nginx/docker-nginx-unprivileged stable/debian/Dockerfile and README.md; '
    + 'nginx/nginx release-1.30.3 notes',
};

// -- config sync (lib/config-sync) -------------------------------------------------------------

/**
 * git-sync v4, the Kubernetes project's git puller (withConfigSync, `ConfigSource.git`).
 *
 * Tag: v4.7.1, promoted to registry.k8s.io in kubernetes/k8s.io#9702 (2026-07); release notes at
 * https://github.com/kubernetes/git-sync/releases/tag/v4.7.1. User: the image ends with
 * `USER 65533:65533` and adds `git-sync:x:65533:65533::/tmp:/sbin/nologin` to /etc/passwd, which
 * SSH needs (kubernetes/git-sync Dockerfile.in). Flags: the manual in main.go (`git-sync --man`).
 */
export const GIT_SYNC_IMAGE: UpstreamImage = {
  repository: 'registry.k8s.io/git-sync/git-sync',
  tag: 'v4.7.1',
  user: 65533,
  group: 65533,
  source: 'https://github.com/kubernetes/git-sync/releases/tag/v4.7.1; USER from kubernetes/git-sync Dockerfile.in',
};

/**
 * kiwigrid/k8s-sidecar, which writes labelled ConfigMaps and Secrets into a folder
 * (withConfigSync, `ConfigSource.configMaps` / `secrets` / `configMapsAndSecrets`).
 *
 * Tag: 2.14.1 (https://github.com/kiwigrid/k8s-sidecar/releases/tag/2.14.1; tags carry no "v").
 * The same multi-arch image is pushed to docker.io, quay.io and ghcr.io (README "Where?");
 * quay.io avoids Docker Hub's pull limits. User: `USER 65534:65534` (nobody) in the Dockerfile.
 * Settings: the "Configuration Environment Variables" table of the README.
 */
export const K8S_SIDECAR_IMAGE: UpstreamImage = {
  repository: 'quay.io/kiwigrid/k8s-sidecar',
  tag: '2.14.1',
  user: 65534,
  group: 65534,
  source: 'https://github.com/kiwigrid/k8s-sidecar/releases/tag/2.14.1; USER from kiwigrid/k8s-sidecar Dockerfile',
};

// -- secrets agent (lib/secrets-agent) ---------------------------------------------------------

/**
 * HashiCorp Vault, whose `vault agent` renders secrets into files (withSecretsAgent).
 *
 * Tag: 2.1.2, the newest community release seen (hashicorp/vault 2.1.x, 2.1.0 announced
 * 2026-09, endoflife-date/endoflife.date#10903; `hashicorp/vault:2.1.2` pinned by digest in
 * public test suites, 2026). test/real/vault-agent.test.ts runs this version's binary when one is
 * provided (tools/vault/build.sh: the Go module proxy has no Vault 2.x module).
 *
 * User: the image is `FROM alpine:3`, `addgroup vault && adduser -S -G vault vault`, with no
 * `USER` line (hashicorp/vault Dockerfile): Alpine gives the first system user UID 100 and the
 * first group GID 1000, the numbers the Vault Agent Injector runs the agent as
 * (hashicorp/vault-k8s agent-inject/agent/agent.go `DefaultAgentRunAsUser = 100`,
 * `DefaultAgentRunAsGroup = 1000`). The binary is /bin/vault; the image's entrypoint
 * (docker-entrypoint.sh) only adds `su-exec` for root, so withSecretsAgent runs /bin/vault
 * directly. Busybox (alpine) gives `/bin/sh` and `wget`, used by the startup probe and the
 * reload command.
 */
export const VAULT_IMAGE: UpstreamImage = {
  repository: 'docker.io/hashicorp/vault',
  tag: '2.1.2',
  user: 100,
  group: 1000,
  source: 'hashicorp/vault Dockerfile (FROM alpine:3, adduser -S -G vault vault, no USER); '
    + 'hashicorp/vault-k8s agent-inject/agent/agent.go (DefaultAgentRunAsUser 100, DefaultAgentRunAsGroup 1000); '
    + 'tag: https://github.com/hashicorp/vault/releases (v2.1.x)',
};
