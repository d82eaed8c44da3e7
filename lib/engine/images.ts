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

// -- cache (lib/cache) -------------------------------------------------------------------------

/**
 * Valkey, the default engine of withCache: the Linux Foundation's BSD-3-Clause fork of Redis
 * 7.2.4, protocol- and command-compatible with Redis OSS (Redis itself moved to RSALv2/SSPLv1 in
 * 7.4 and added AGPLv3 in 8.0, which many organizations cannot ship).
 *
 * Tag: 9.1.4, the newest stable release of the newest stable line (valkey.io/download/releases/v9-1-4,
 * released 2026-11-18, Docker Hub tags `valkey/valkey:9.1.4`, `-trixie`, `-alpine`). The plain tag
 * is the Debian (trixie-slim) build, which has `/bin/sh`, `od`, `tr` and `sed` for the password
 * start script (lib/cache/valkey.ts) and `/usr/local/bin/valkey-cli` for the probes.
 *
 * User: the Dockerfile (valkey-io/valkey-container 9.1/debian/Dockerfile) runs
 * `groupadd -r -g 999 valkey; useradd -r -g valkey -u 999 valkey` and has no `USER` line: its
 * entrypoint starts as root and drops to `valkey` with setpriv. We start `valkey-server` directly
 * as 999:999. The same Dockerfile patches the compiled-in default of `protected-mode` to `no`
 * ("unnecessary in context of Docker"), so the generated valkey.conf turns it back on.
 */
export const VALKEY_IMAGE: UpstreamImage = {
  repository: 'docker.io/valkey/valkey',
  tag: '9.1.4',
  user: 999,
  group: 999,
  source: 'https://valkey.io/download/releases/v9-1-4/ (2026-11-18); USER/GROUP 999 from '
    + 'https://github.com/valkey-io/valkey-container/blob/mainline/9.1/debian/Dockerfile',
};

/**
 * memcached, the second engine of withCache (Docker's official image, docker-library/memcached).
 *
 * Tag: 1.6.45, the newest tag of the official image seen (docker-library/repo-info
 * repos/memcached/tag-details.md: `memcached:1.6.45`, `-trixie`, `-alpine`, built 2026-08-05).
 * memcached 1.6.46 (2026-11-28, security fixes its author calls minor: wiki ReleaseNotes1646)
 * was not yet among the official image's tags: bump this line when it is.
 *
 * User: the Debian Dockerfile (docker-library/memcached 1/debian/Dockerfile) runs
 * `groupadd --system --gid 11211 memcache; useradd --system --gid memcache --uid 11211 memcache`
 * and ends with `USER memcache`; memcached is installed to /usr/local/bin. The base is
 * debian:trixie-slim, whose `/bin/bash` the TCP probe uses (its `/dev/tcp`).
 */
export const MEMCACHED_IMAGE: UpstreamImage = {
  repository: 'docker.io/library/memcached',
  tag: '1.6.45',
  user: 11211,
  group: 11211,
  source: 'https://github.com/docker-library/repo-info/blob/master/repos/memcached/tag-details.md; '
    + 'USER from https://github.com/docker-library/memcached/blob/master/1/debian/Dockerfile',
};

// -- auth proxy (lib/auth-proxy) ---------------------------------------------------------------

/**
 * oauth2-proxy, the authenticating proxy of `withAuthProxy`.
 *
 * Tag: v7.15.6 (2026-11-05), the newest release: the Go module proxy lists
 * github.com/oauth2-proxy/oauth2-proxy/v7 v7.15.6 as the latest version, its CHANGELOG.md heads
 * "V7.15.6", and docs/docs/installation.md says "current release is `v7.15.6`". Images are
 * pushed to quay.io/oauth2-proxy/oauth2-proxy under the git tag, with its "v" (Makefile
 * `push-distroless`: `$(REGISTRY)/$(REPOSITORY):${VERSION}`, VERSION from `git describe --tags`;
 * helmforgedev/charts#551 verified `quay.io/oauth2-proxy/oauth2-proxy:v7.15.3` that way).
 *
 * User: the default (non-alpine) image is built `FROM gcr.io/distroless/static:nonroot`
 * (Makefile `DOCKER_BUILD_RUNTIME_IMAGE`), whose USER is 65532:65532 (`nonroot`); the
 * Dockerfile adds no USER line. The binary is /bin/oauth2-proxy, the ENTRYPOINT.
 */
export const OAUTH2_PROXY_IMAGE: UpstreamImage = {
  repository: 'quay.io/oauth2-proxy/oauth2-proxy',
  tag: 'v7.15.6',
  user: 65532,
  group: 65532,
  source: 'github.com/oauth2-proxy/oauth2-proxy v7.15.6: CHANGELOG.md, docs/docs/installation.md, Dockerfile (ENTRYPOINT /bin/oauth2-proxy), '
    + 'Makefile (RUNTIME_IMAGE gcr.io/distroless/static:nonroot, tag ${VERSION}); proxy.golang.org lists v7.15.6 as latest',
};

// -- telemetry (lib/telemetry) -----------------------------------------------------------------

/**
 * The OpenTelemetry Collector, contrib distribution (withTelemetry).
 *
 * Tag: 0.162.0. The opentelemetry-collector Helm chart 0.176.0 has appVersion 0.162.0
 * (open-telemetry/opentelemetry-helm-charts release notes, "This release updates the
 * opentelemetry-collector to version 0.162.0"); the Go modules of the components it holds were
 * tagged v0.162.0 on 2026-09-29 (proxy.golang.org), and tools/otelcol builds the same versions to
 * validate our configurations. Image tags carry no "v". Later 0.163–0.165 modules exist; no
 * image of them was confirmed when this was pinned.
 *
 * Why contrib: it is the distribution that holds every component withTelemetry configures —
 * the prometheus receiver, the resource processor, the prometheus_remote_write exporter and
 * the health_check extension are not in the core `otelcol` image
 * (open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib/manifest.yaml).
 * In 0.162 the exporters are registered as `otlp_grpc`, `otlp_http` and
 * `prometheus_remote_write` (the old names `otlp`, `otlphttp`, `prometheusremotewrite` are
 * deprecated aliases: internal/metadata/generated_status.go of each exporter module).
 *
 * User: the image is `FROM scratch` with `ARG USER_UID=10001`, `ARG USER_GID=10001`,
 * `USER ${USER_UID}:${USER_GID}`, binary at /otelcol-contrib, `ENTRYPOINT ["/otelcol-contrib"]`
 * (distributions/otelcol-contrib/Dockerfile).
 */
export const OTEL_COLLECTOR_IMAGE: UpstreamImage = {
  repository: 'docker.io/otel/opentelemetry-collector-contrib',
  tag: '0.162.0',
  user: 10001,
  group: 10001,
  source: 'github.com/open-telemetry/opentelemetry-collector-releases distributions/otelcol-contrib/Dockerfile (USER 10001:10001); '
    + 'tag: opentelemetry-helm-charts opentelemetry-collector-0.176.0 (appVersion 0.162.0)',
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
