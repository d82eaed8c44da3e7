/** Groups items by a key, keeping first-seen order (messages stay deterministic). */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinAnd(parts: string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** `both` for two, `all` for more. */
export function bothOrAll(count: number): string {
  return count === 2 ? 'both' : 'all';
}
