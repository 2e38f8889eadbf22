/**
 * Probability of improvement (Agarwal et al. 2021, §4.3; rliable's probability_of_improvement): the chance that a
 * run of X, drawn at random, scores higher than a run of Y, ties counting one half. On one task this is the
 * Mann–Whitney U statistic of X against Y divided by |X| · |Y|.
 */
export function probabilityOfImprovement(x: readonly number[], y: readonly number[]): number {
  if (!x.length || !y.length) throw new Error('probability of improvement: both arms need at least one score');
  let wins = 0;
  for (const a of x) for (const b of y) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (x.length * y.length);
}
