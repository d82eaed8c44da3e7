/** Small statistics for the benchmark report. */

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median absolute deviation relative to the median, as a percentage: how noisy a series was. */
export function spreadPercent(values: number[]): number {
  const m = median(values);
  return (100 * median(values.map((v) => Math.abs(v - m)))) / m;
}

export function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

export function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(0)} ms`;
}

export function mib(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}

/**
 * The median of the per-pair ratios `a[i] / b[i]`. Run i of each side ran next to the other
 * (A B, then B A), so a drift of the machine's speed falls on both runs of a pair and cancels
 * out of its ratio, where it would not cancel out of a ratio of two medians.
 */
export function pairedRatio(a: number[], b: number[]): number {
  return median(a.map((x, i) => x / b[i]));
}

/** A 95% bootstrap interval of `pairedRatio`, resampling pairs (deterministic: a fixed seed). */
export function pairedInterval(a: number[], b: number[], rounds = 2000): [number, number] {
  let seed = 54321;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const ratios = a.map((x, i) => x / b[i]);
  const medians = Array.from({ length: rounds }, () => median(ratios.map(() => ratios[Math.floor(random() * ratios.length)]))).sort((x, y) => x - y);
  return [medians[Math.floor(rounds * 0.025)], medians[Math.floor(rounds * 0.975)]];
}
