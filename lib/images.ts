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
// (filled by the config-sync work)
