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
// (filled by the log-shipper work)

// -- proxy (lib/proxy) -------------------------------------------------------------------------
// (filled by the proxy work)

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
