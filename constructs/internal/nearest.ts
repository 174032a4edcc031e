// Kept apart from validate.ts (zod, cdk8s) so the CLI can word its usage
// errors without loading them.

/**
 * Edit distance, for "did you mean", or `limit` as soon as it is known to be
 * at least that. Two rows, and a stop once a row holds nothing under the
 * limit: it runs for every label of every namespace (a misspelt ambient
 * label), where a full table per pair cost more than building the namespace.
 */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = new Array<number>(b.length + 1);
  let row = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let least = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (row[j] < least) least = row[j];
    }
    if (least >= limit) return limit;
    [prev, row] = [row, prev];
  }
  return Math.min(prev[b.length], limit);
}

/**
 * The known name `key` most likely misspells (same letters in another case,
 * or at most 3 edits away and fewer than half its length, so that `zzz` is
 * not taken for `env`), if any.
 */
export function nearest(key: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(4, Math.ceil(key.length / 2));
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : distance(k, key, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}
