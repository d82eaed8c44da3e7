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
 * A 95% bootstrap interval for the ratio of the medians of `a` and `b` (deterministic: a fixed
 * seed), to show how far the machine's noise lets one trust a ratio.
 */
export function ratioInterval(a: number[], b: number[], rounds = 2000): [number, number] {
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const resample = (xs: number[]) => xs.map(() => xs[Math.floor(random() * xs.length)]);
  const ratios = Array.from({ length: rounds }, () => median(resample(a)) / median(resample(b))).sort((x, y) => x - y);
  return [ratios[Math.floor(rounds * 0.025)], ratios[Math.floor(rounds * 0.975)]];
}
