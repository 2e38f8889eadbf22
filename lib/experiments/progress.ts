/** A one-line progress bar on stderr: steps per second, ETA and the last evaluation return. Silent when not a TTY. */

export class Progress {
  private readonly start = Date.now();
  private lastDraw = 0;
  private lastReturn: number | undefined;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly initial = 0,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  setReturn(value: number): void {
    this.lastReturn = value;
  }

  update(done: number, force = false): void {
    const now = Date.now();
    if (!this.stream.isTTY || (!force && now - this.lastDraw < 250)) return;
    this.lastDraw = now;
    const seconds = (now - this.start) / 1000;
    const rate = (done - this.initial) / Math.max(seconds, 1e-9);
    const eta = rate > 0 ? (this.total - done) / rate : Infinity;
    const width = 24;
    const filled = Math.round((width * done) / Math.max(this.total, 1));
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const ret = this.lastReturn === undefined ? '' : ` · return ${this.lastReturn.toFixed(1)}`;
    this.stream.write(`\r${this.label} ${bar} ${done}/${this.total} · ${rate.toFixed(1)} steps/s · ETA ${formatSeconds(eta)}${ret}  `);
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}
