/** Edit distance, used to suggest the name a user probably meant. */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Up to `count` candidates nearest to `name`, nearest first, ties in input order. */
export function closest(name: string, candidates: Iterable<string>, count = 3): string[] {
  return [...candidates]
    .map((candidate, index) => ({ candidate, index, d: distance(name, candidate) }))
    .sort((x, y) => x.d - y.d || x.index - y.index)
    .slice(0, count)
    .map((x) => x.candidate);
}
