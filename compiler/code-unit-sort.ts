/**
 * Sort strings in place by UTF-16 code unit, as `Array.prototype.sort()`
 * does by default and `<` compares: never by locale, so output is the same on
 * every machine.
 *
 * Synth sorts the keys of every map it copies and renders, hundreds of
 * thousands of short arrays on a large mesh. V8's built-in sort allocates
 * its working state on every call (~150 MB of garbage at 1,000 namespaces,
 * a fifth of all synth allocates); below a few dozen items an insertion sort
 * allocates nothing and is about three times faster.
 */
export function sortByCodeUnit(items: string[]): string[] {
  if (items.length > INSERTION_SORT_MAX) return items.sort();
  for (let i = 1; i < items.length; i++) {
    const item = items[i];
    let j = i - 1;
    while (j >= 0 && items[j] > item) {
      items[j + 1] = items[j];
      j--;
    }
    items[j + 1] = item;
  }
  return items;
}

// Insertion sort does n²/4 comparisons on average: past this, the built-in wins.
const INSERTION_SORT_MAX = 24;
