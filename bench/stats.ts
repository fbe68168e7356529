/** Small, dependency-free measurement helpers for `npm run bench`. */

export function median(values: readonly number[]): number {
  return percentile(values, 50)
}

/** Linear-interpolated percentile (p in 0..100) of a non-empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty sample')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo)
}

/** Runs `op` exactly `n` times with at most `concurrency` in flight; answers operations per second. */
export async function throughput(n: number, concurrency: number, op: () => Promise<void>): Promise<number> {
  return n / (await seconds(n, concurrency, op))
}

/** Runs `op` exactly `n` times with at most `concurrency` in flight; answers the seconds it took. */
async function seconds(n: number, concurrency: number, op: () => Promise<void>): Promise<number> {
  let started = 0
  const worker = async (): Promise<void> => {
    while (started < n) {
      started++
      await op()
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker))
  return (performance.now() - t0) / 1000
}

export interface PairedThroughput {
  /** Operations per round (the same for both sides). */
  n: number
  rounds: number
  /** Blocks per round that the two sides alternate in. */
  blocks: number
  concurrency: number
  /** ops/s of each round, in round order. */
  baseline: number[]
  subject: number[]
  baselineMedian: number
  subjectMedian: number
  /** subjectMedian / baselineMedian. */
  ratio: number
  /** Smallest and largest per-round subject/baseline ratio: how stable the comparison was. */
  ratioRange: [number, number]
}

/**
 * Baseline and subject after a warm-up of both, in rounds of `n` calls each. Within a round the two
 * alternate in `blocks` blocks (A B B A A B …), and each side's ops/s is its calls over the time
 * of its own blocks, so a burst of load from elsewhere hits both sides alike. `n` is calibrated
 * from the warm-up so one round of the baseline takes about `roundSeconds`, clamped to
 * [minN, maxN]; both sides always run the same number of calls.
 */
export async function pairedThroughput(options: {
  baseline: () => Promise<void>
  subject: () => Promise<void>
  concurrency: number
  rounds: number
  roundSeconds: number
  warmup: number
  minN: number
  maxN: number
  blocks: number
}): Promise<PairedThroughput> {
  const { baseline, subject, concurrency, rounds } = options
  await throughput(options.warmup, concurrency, baseline)
  await throughput(options.warmup, concurrency, subject)
  const calibration = await throughput(options.warmup, concurrency, baseline)
  await throughput(options.warmup, concurrency, subject)
  const block = Math.ceil(Math.min(options.maxN, Math.max(options.minN, calibration * options.roundSeconds)) / options.blocks)
  const n = block * options.blocks

  const base: number[] = []
  const subj: number[] = []
  for (let round = 0; round < rounds; round++) {
    let baseSeconds = 0
    let subjSeconds = 0
    for (let b = 0; b < options.blocks; b++) {
      // A B | B A | A B …: each side goes first equally often.
      if ((b + round) % 2 === 0) {
        baseSeconds += await seconds(block, concurrency, baseline)
        subjSeconds += await seconds(block, concurrency, subject)
      } else {
        subjSeconds += await seconds(block, concurrency, subject)
        baseSeconds += await seconds(block, concurrency, baseline)
      }
    }
    base.push(n / baseSeconds)
    subj.push(n / subjSeconds)
  }
  const perRound = base.map((b, i) => subj[i]! / b)
  const baselineMedian = median(base)
  const subjectMedian = median(subj)
  return {
    n,
    rounds,
    blocks: options.blocks,
    concurrency,
    baseline: base,
    subject: subj,
    baselineMedian,
    subjectMedian,
    ratio: subjectMedian / baselineMedian,
    ratioRange: [Math.min(...perRound), Math.max(...perRound)],
  }
}

export interface PairedLatency {
  count: number
  /** Milliseconds per call, in call order. */
  baseline: number[]
  subject: number[]
  baselineMedian: number
  baselineP95: number
  subjectMedian: number
  subjectP95: number
  /** subjectMedian / baselineMedian. */
  ratio: number
  /** subjectP95 / baselineP95 (reported, not judged). */
  p95Ratio: number
}

async function timed(op: () => Promise<void>): Promise<number> {
  const t0 = performance.now()
  await op()
  return performance.now() - t0
}

/** `count` calls of each, one in flight, alternating which goes first, after `warmup` of each. */
export async function pairedLatency(options: {
  baseline: () => Promise<void>
  subject: () => Promise<void>
  count: number
  warmup: number
}): Promise<PairedLatency> {
  const { baseline, subject, count } = options
  for (let i = 0; i < options.warmup; i++) {
    await baseline()
    await subject()
  }
  const base: number[] = []
  const subj: number[] = []
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      base.push(await timed(baseline))
      subj.push(await timed(subject))
    } else {
      subj.push(await timed(subject))
      base.push(await timed(baseline))
    }
  }
  const baselineMedian = median(base)
  const subjectMedian = median(subj)
  const baselineP95 = percentile(base, 95)
  const subjectP95 = percentile(subj, 95)
  return {
    count,
    baseline: base,
    subject: subj,
    baselineMedian,
    baselineP95,
    subjectMedian,
    subjectP95,
    ratio: subjectMedian / baselineMedian,
    p95Ratio: subjectP95 / baselineP95,
  }
}
