/**
 * Checks of single values, shared by the call-time checks and the synth-time rules.
 * Each returns a problem (what is expected) or undefined.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/;

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

/**
 * An absolute path inside a container, as a volume mount needs: no `..` segment, no `:` (the
 * kubelet's separator), no NUL or control character.
 */
export function mountPathProblem(value: string): string | undefined {
  if (typeof value !== 'string') return `must be a string (got ${describeValue(value)})`;
  // The common case without a regular expression: checked for every mount of every pod.
  if (value.charCodeAt(0) === 47 /* / */ && !value.includes('..') && !value.includes(':') && !CONTROL.test(value)) return undefined;
  if (!value.startsWith('/')) return 'must be an absolute path (starting with "/")';
  if (/(^|\/)\.\.(\/|$)/.test(value)) return 'must not contain ".."';
  if (value.includes(':')) return 'must not contain ":"';
  if (CONTROL.test(value)) return 'must not hold NUL or control characters';
  return undefined;
}

/** Two mount paths are the same place once `.` segments, repeated and trailing slashes are ignored. */
export function samePath(a: string, b: string): boolean {
  return a === b || normalizePath(a) === normalizePath(b);
}

/**
 * A path without `.` segments, repeated slashes or a trailing slash: `/var/log/./app/` is
 * `/var/log/app`. `..` segments are kept (mountPathProblem refuses them before paths are compared).
 */
export function normalizePath(path: string): string {
  if (!path.includes('//') && !path.includes('/.') && (path.length === 1 || !path.endsWith('/'))) return path;
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  const joined = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}`;
  return joined === '' ? (path.startsWith('/') ? '/' : '.') : joined;
}

/** `inner` is strictly below `outer`. */
export function isInside(inner: string, outer: string): boolean {
  const a = normalizePath(inner);
  const b = normalizePath(outer);
  return a !== b && a.startsWith(b === '/' ? '/' : `${b}/`);
}

/**
 * A user's value as a message shows it: in double quotes, with control characters, NUL and
 * line breaks escaped (`"a\nb"`), never printed raw or as spaces. A number is shown as it is,
 * anything else as its type (`an object`).
 */
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(/[\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return typeof value === 'number' ? String(value) : describeValue(value);
}

/** `the number 42`, `a string "x"`, `an array`, `undefined`: what a JavaScript caller passed, for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `the ${typeof value} ${String(value)}`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** True when `value` holds a control character, NUL or a Unicode line separator. */
export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

const IMAGE_DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IMAGE_DOMAIN = new RegExp(`^(?:${IMAGE_DOMAIN_COMPONENT}(?:\\.${IMAGE_DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const IMAGE_PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const IMAGE_TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE_DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * A container image reference, by the grammar of distribution/reference (what the kubelet and
 * the container runtimes parse): `[host[:port]/]path[:tag][@digest]`, path components of
 * lowercase letters, digits and single separators (`.`, `_`, `__`, `-`…), a tag of at most 128
 * word characters, dots and dashes, a sha256 or sha512 digest; no scheme, whitespace or control
 * character anywhere.
 * @see https://github.com/distribution/reference/blob/main/reference.go
 */
export function imageProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty; give an image reference with a pinned tag, for example "registry.example/tool:1.2.3"';
  if (/\s/.test(value) || hasControlCharacter(value)) return 'holds whitespace or a control character; an image reference has none: remove it';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) {
    return `starts with a scheme ("${value.slice(0, value.indexOf('://') + 3)}"); an image reference has none: give "${value.slice(value.indexOf('://') + 3)}"`;
  }
  let rest = value;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!IMAGE_DIGEST.test(digest)) return `has the digest "${digest}", which is not "sha256:" and 64 lowercase hex digits`;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!IMAGE_TAG.test(tag)) {
      return `has the tag "${tag}"; a tag is 1 to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`;
    }
  }
  const parts = rest.split('/');
  const first = parts[0];
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain) {
    if (!IMAGE_DOMAIN.test(first)) return `has the registry host "${first}", which is not a host name or address with an optional port`;
    parts.shift();
  }
  if (rest.length > 255) return `has a name of ${rest.length} characters; at most 255`;
  for (const part of parts) {
    if (!IMAGE_PATH_COMPONENT.test(part)) {
      if (part !== '' && part.toLowerCase() !== part && IMAGE_PATH_COMPONENT.test(part.toLowerCase())) {
        return `has the repository path "${parts.join('/')}" with capital letters; repository paths are lowercase: give "${value.replace(parts.join('/'), parts.join('/').toLowerCase())}"`;
      }
      return `has the path component "${part}"; a component is lowercase letters and digits, joined by ".", "_", "__" or "-"`;
    }
  }
  return undefined;
}

/**
 * An environment variable name the API server accepts.
 *
 * Kubernetes 1.28 (`IsEnvVarName` in k8s.io/apimachinery/pkg/util/validation): `[-._a-zA-Z][-._a-zA-Z0-9]*`,
 * and neither `.`, `..` nor a name starting with `..`. With `relaxed` (the
 * RelaxedEnvironmentVariableValidation feature: alpha in 1.30, on by default from 1.32, GA in
 * 1.34), any printable ASCII character but `=`.
 * @see https://github.com/kubernetes/apimachinery/blob/master/pkg/util/validation/validation.go
 */
export function envNameProblem(name: string, relaxed = false): string | undefined {
  if (name === '') return 'is empty';
  if (name === '__proto__') {
    return 'is "__proto__", which cdk8s-plus keeps in a plain object and silently drops; choose another name';
  }
  if (relaxed) {
    if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(name)) return 'may hold only printable ASCII characters other than "=" (the relaxed rule)';
    return undefined;
  }
  if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
    return 'may hold only letters, digits, "_", "-" and ".", and must not start with a digit (Kubernetes 1.28)';
  }
  if (name === '.' || name.startsWith('..')) return 'must not be "." or start with ".."';
  return undefined;
}

/**
 * A `kplus.Cpu` amount: a plain or milli (`m`) decimal quantity, not negative.
 */
export function cpuProblem(amount: unknown): string | undefined {
  if (typeof amount !== 'string' || !/^(\d+(\.\d+)?|\.\d+)m?$/.test(amount)) {
    if (typeof amount === 'string' && amount.startsWith('-')) return `is negative (${quote(amount)}); give an amount of 0 or more, for example kplus.Cpu.millis(100)`;
    return `is ${quote(amount)}, not a number of cores or millicores; give for example kplus.Cpu.millis(100)`;
  }
  return undefined;
}

/** A CPU amount in millicores; NaN when it is not one (check `cpuProblem` first). */
export function cpuMillis(amount: string): number {
  return amount.endsWith('m') ? Number(amount.slice(0, -1)) : Number(amount) * 1000;
}
