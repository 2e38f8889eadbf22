/**
 * Feedback on long work, on stderr. On a terminal: a one-line bar redrawn in place. Elsewhere (`2>&1 | cat`, a
 * log file): one line every SEER_PROGRESS_SECONDS (default 15) with step, steps/s, ETA and the last return.
 * The ETA uses the rate of the current phase only — warm-up without updates, updates before T_f, frozen after
 * T_f — because their speeds differ by 100× (CURL at laptop scale: 250 warm-up steps/s, 2 steps/s before T_f,
 * 25 after). SEER_QUIET=1 (the tests) prints nothing. `SweepProgress` says `k of n` and the ETA of a sweep.
 */

/** Where a run is: which of its speeds applies. `updates`: training with images (a baseline, or SEER before T_f). */
export type RunPhase = 'warm-up' | 'updates' | 'frozen';

export function runPhase(step: number, initSteps: number, frozen: boolean): RunPhase {
  return frozen ? 'frozen' : step <= initSteps ? 'warm-up' : 'updates';
}

const PHASE_WORDS: Record<RunPhase, string> = {
  'warm-up': 'warm-up, no updates',
  updates: 'updates',
  frozen: 'after T_f, encoder frozen',
};

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  /** Seconds between lines off a terminal (SEER_PROGRESS_SECONDS, default 15). */
  everySeconds?: number;
  /** No output at all (default: SEER_QUIET is set). */
  quiet?: boolean;
  /** Milliseconds clock (tests inject one). */
  now?: () => number;
}

/** What the freeze did, as the runner knows it (lib/replay/latent-replay.ts SwitchReport). */
export interface FreezeFacts {
  imageBytesBefore: number;
  latentBytesAfter: number;
  capacity: number;
  encodedObservations: number;
}

export function isQuiet(env: NodeJS.ProcessEnv = process.env): boolean {
  return !!env.SEER_QUIET && env.SEER_QUIET !== '0';
}

export function progressSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SEER_PROGRESS_SECONDS;
  if (raw === undefined || raw === '') return 15;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`SEER_PROGRESS_SECONDS='${raw}' is not accepted: give a number of seconds > 0`);
  return n;
}

export class Progress {
  private readonly stream: ProgressStream;
  private readonly every: number;
  private readonly quiet: boolean;
  private readonly now: () => number;
  private readonly start: number;
  private lastDraw: number;
  private lastReturn: number | undefined;
  /** The current phase, and the step and time it began at in this process. */
  private phase: { name: RunPhase; step: number; at: number } | undefined;
  /** The previous update's step and time: where a new phase begins. */
  private last: number;
  private lastAt: number;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly initial = 0,
    opts: ProgressOptions = {},
  ) {
    this.stream = opts.stream ?? process.stderr;
    this.quiet = opts.quiet ?? isQuiet();
    this.every = opts.everySeconds ?? progressSeconds();
    this.now = opts.now ?? Date.now;
    this.start = this.now();
    this.lastDraw = this.start;
    this.last = initial;
    this.lastAt = this.start;
  }

  setReturn(value: number): void {
    this.lastReturn = value;
  }

  /** Steps done so far and the phase they are in; draws when it is time to. */
  update(done: number, phase: RunPhase = 'updates', force = false): void {
    const now = this.now();
    if (!this.phase || this.phase.name !== phase) this.phase = { name: phase, step: this.last, at: this.lastAt };
    this.last = done;
    this.lastAt = now;
    if (this.quiet) return;
    const tty = !!this.stream.isTTY;
    const wait = tty ? 250 : this.every * 1000;
    if (!force && now - this.lastDraw < wait) return;
    this.lastDraw = now;
    this.drawn = true;
    this.stream.write(
      tty ? `\r${this.bar(done)}${this.status(done, now)}  ` : `[${this.label}] ${this.status(done, now)}\n`,
    );
  }

  /** Seconds left at the current phase's rate, or undefined while that rate is not measured (or in warm-up). */
  eta(done: number, now = this.now()): number | undefined {
    const rate = this.rate(done, now);
    if (rate === undefined || this.phase?.name === 'warm-up') return undefined;
    return (this.total - done) / rate;
  }

  /** Agent steps per second in the current phase (since it began in this process). */
  rate(done: number, now = this.now()): number | undefined {
    if (!this.phase) return undefined;
    const seconds = (now - this.phase.at) / 1000;
    const steps = done - this.phase.step;
    return seconds > 0 && steps > 0 ? steps / seconds : undefined;
  }

  /** One line when the encoder freezes: the update, what was frozen, and the replay's bytes before → after. */
  froze(
    updates: number,
    agent: { kind: string; latentHeads: number; latentDim: number },
    facts: FreezeFacts | null,
  ): void {
    if (this.quiet) return;
    const what = agent.kind === 'curl' && agent.latentHeads > 1 ? 'convs + fc of both heads' : 'convs';
    const replay = facts
      ? `; replay ${formatBytes(facts.imageBytesBefore)} of images → ` +
        `${formatBytes(facts.latentBytesAfter)} of latents (${facts.encodedObservations.toLocaleString('en')} ` +
        `observations re-encoded, capacity ${facts.capacity.toLocaleString('en')})`
      : '';
    const line =
      `[${this.label}] froze the encoder at update ${updates.toLocaleString('en')}: ${what}, ` +
      `${agent.latentHeads} × ${agent.latentDim} latents per observation${replay}\n`;
    this.stream.write(this.stream.isTTY && this.drawn ? `\n${line}` : line);
  }

  done(): void {
    if (this.quiet || !this.drawn) return;
    const seconds = (this.now() - this.start) / 1000;
    const text = `${this.last}/${this.total} steps in ${formatSeconds(seconds)}`;
    this.stream.write(this.stream.isTTY ? `\n` : `[${this.label}] ${text}\n`);
  }

  private bar(done: number): string {
    const width = 24;
    const filled = Math.min(width, Math.round((width * done) / Math.max(this.total, 1)));
    return `${this.label} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} `;
  }

  private status(done: number, now: number): string {
    const rate = this.rate(done, now);
    const phase = this.phase?.name ?? 'updates';
    const eta = this.eta(done, now);
    const etaText =
      eta !== undefined ? `ETA ${formatSeconds(eta)}` : phase === 'warm-up' ? 'ETA once updates start' : 'ETA --';
    const ret = this.lastReturn === undefined ? '' : ` · last return ${this.lastReturn.toFixed(1)}`;
    const speed = `${rate === undefined ? '--' : rate.toFixed(1)} steps/s`;
    return `step ${done}/${this.total} · ${PHASE_WORDS[phase]} · ${speed} · ${etaText}${ret}`;
  }
}

type JobStatus = 'start' | 'done' | 'failed' | 'skipped';

/**
 * `k of n` and an overall ETA for a queue of runs: what is left (the estimate of each unfinished run, less the
 * time a running one has had) shared among the parallel processes. Once runs have finished, the estimates are
 * scaled by how long those took against their own estimates (this machine, its load, process start-up). A run
 * without an estimate takes the mean time of the runs this queue has finished; with neither, the ETA is unknown.
 */
export class SweepProgress {
  private readonly started = new Map<string, number>();
  private readonly ended = new Map<string, JobStatus>();
  private readonly measured: number[] = [];
  /** Seconds taken and seconds estimated, over the finished runs that had an estimate. */
  private taken = 0;
  private estimated = 0;
  private readonly now: () => number;

  constructor(
    private readonly estimates: ReadonlyMap<string, number | undefined>,
    private readonly parallel: number,
    now?: () => number,
  ) {
    this.now = now ?? Date.now;
  }

  get total(): number {
    return this.estimates.size;
  }

  /** Records an event and returns its `k of n` and ETA text. */
  event(id: string, status: JobStatus): string {
    const now = this.now();
    if (status === 'start') this.started.set(id, now);
    else {
      this.ended.set(id, status);
      const t0 = this.started.get(id);
      const est = this.estimates.get(id);
      if (status === 'done' && t0 !== undefined) {
        this.measured.push((now - t0) / 1000);
        if (est) [this.taken, this.estimated] = [this.taken + (now - t0) / 1000, this.estimated + est];
      }
    }
    const k = this.ended.size;
    const failed = [...this.ended.values()].filter((s) => s === 'failed').length;
    const eta = this.eta(now);
    return (
      `${k} of ${this.total} finished${failed ? ` (${failed} failed)` : ''}` +
      (k < this.total ? ` · ETA ${eta === undefined ? '--' : formatSeconds(eta)}` : '')
    );
  }

  /** Seconds until every run has ended, or undefined when a run's time cannot be estimated. */
  eta(now = this.now()): number | undefined {
    const mean = this.measured.length ? this.measured.reduce((a, b) => a + b, 0) / this.measured.length : undefined;
    const scale = this.estimated > 0 ? this.taken / this.estimated : 1;
    let left = 0;
    let open = 0;
    for (const [id, est] of this.estimates) {
      if (this.ended.has(id)) continue;
      const e = est !== undefined ? est * scale : mean;
      if (e === undefined) return undefined;
      const t0 = this.started.get(id);
      left += Math.max(0, e - (t0 === undefined ? 0 : (now - t0) / 1000));
      open += 1;
    }
    return open ? left / Math.max(1, Math.min(this.parallel, open)) : 0;
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function formatBytes(b: number): string {
  return b >= 1e9
    ? `${(b / 1e9).toFixed(2)} GB`
    : b >= 1e6
      ? `${(b / 1e6).toFixed(1)} MB`
      : `${(b / 1e3).toFixed(1)} KB`;
}
