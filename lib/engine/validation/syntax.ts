/**
 * Checks of single values, shared by the call-time checks and the synth-time rules.
 * Each returns a problem (what is expected) or undefined.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A DNS-1123 label, as Kubernetes requires of container and volume names.
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#dns-label-names
 */
export function dnsLabelProblem(value: string): string | undefined {
  if (value.length === 0) return 'must not be empty';
  if (value.length > 63) return `must be at most 63 characters (has ${value.length})`;
  if (!DNS_LABEL.test(value)) {
    return 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit';
  }
  return undefined;
}

/**
 * An IANA service name, as Kubernetes requires of port names (RFC 6335 section 5.1):
 * 1-15 characters of a-z, 0-9 and "-", at least one letter, no leading, trailing or double "-".
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go (IsValidPortName)
 */
export function portNameProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > 15) return 'must be 1 to 15 characters';
  if (!/^[-a-z0-9]+$/.test(value)) return 'may hold only lowercase letters, digits and "-"';
  if (!/[a-z]/.test(value)) return 'must hold at least one letter';
  if (value.startsWith('-') || value.endsWith('-')) return 'must not begin or end with "-"';
  if (value.includes('--')) return 'must not hold "--"';
  return undefined;
}

/** A TCP/UDP/SCTP port number: an integer from 1 to 65535. */
export function portNumberProblem(value: number): string | undefined {
  if (!Number.isInteger(value) || value < 1 || value > 65535) return 'must be an integer from 1 to 65535';
  return undefined;
}

/** An absolute path inside a container, as a volume mount needs. */
export function mountPathProblem(value: string): string | undefined {
  // The common case without a regular expression: checked for every mount of every pod.
  if (value.charCodeAt(0) === 47 /* / */ && !value.includes('..') && !value.includes(':')) return undefined;
  if (!value.startsWith('/')) return 'must be an absolute path (starting with "/")';
  if (/(^|\/)\.\.(\/|$)/.test(value)) return 'must not contain ".."';
  if (value.includes(':')) return 'must not contain ":"';
  return undefined;
}

/** Two mount paths are the same place once trailing slashes are ignored. */
export function samePath(a: string, b: string): boolean {
  return normalizePath(a) === normalizePath(b);
}

export function normalizePath(path: string): string {
  if (!path.includes('//') && (path.length === 1 || !path.endsWith('/'))) return path;
  const trimmed = path.replace(/\/+/g, '/').replace(/\/$/, '');
  return trimmed === '' ? '/' : trimmed;
}

/** `inner` is strictly below `outer`. */
export function isInside(inner: string, outer: string): boolean {
  const a = normalizePath(inner);
  const b = normalizePath(outer);
  return a !== b && a.startsWith(b === '/' ? '/' : `${b}/`);
}
