/**
 * When a run freezes, and what it records for the encoder analysis: the fixed T_f rule of the paper, the adaptive
 * SVCCA rule (lib/seer/adaptive.ts) on a fixed probe set, and encoder snapshots every `snapshotEvery` updates
 * (Figure 8). The probe is drawn once, at the first update, from the observations then in replay, and is saved in
 * checkpoints, so a resumed run checks — and freezes — at exactly the same update.
 */
import * as path from 'path';
import { centerCrop } from '../augment/crop';
import type { TrainAgent } from '../agents/types';
import { DiskSnapshotStore, SnapshotRecorder } from '../analysis/snapshots';
import type { Probe, TensorRecord } from '../analysis/similarity';
import type { Encoder } from '../nets/encoders';
import {
  adaptiveFreezeForEncoder,
  type AdaptiveCheck,
  type AdaptiveFreezeRule,
  type AdaptiveFreezeState,
} from '../seer/adaptive';
import { FixedFreezeRule, NeverFreeze, type FreezeRule } from '../seer/rules';
import { seerVariant } from '../seer/variants';
import type { ImageReplay } from '../replay/image-replay';
import type { Snapshot } from './checkpoint';
import type { ExperimentConfig } from './config';

export class RunFreezing {
  private readonly totalUpdates: number;
  private readonly fixed: FreezeRule;
  private adaptive: AdaptiveFreezeRule | undefined;
  private probe: Probe | undefined;
  private net: Encoder | undefined;
  private readonly recorder: SnapshotRecorder | undefined;

  constructor(
    private readonly cfg: ExperimentConfig,
    private readonly agent: TrainAgent,
    runDir: string,
    private readonly onCheck: (check: AdaptiveCheck) => void,
  ) {
    this.totalUpdates = cfg.steps - cfg.initSteps;
    const freezes = seerVariant(cfg.variant).freeze;
    this.fixed =
      freezes && cfg.freezeRule === 'fixed' ? new FixedFreezeRule(cfg.freezeAt, this.totalUpdates) : new NeverFreeze();
    this.recorder =
      cfg.snapshotEvery > 0
        ? new SnapshotRecorder(new DiskSnapshotStore(path.join(runDir, 'snapshots')), cfg.snapshotEvery)
        : undefined;
  }

  private get usesAdaptive(): boolean {
    return seerVariant(this.cfg.variant).freeze && this.cfg.freezeRule === 'adaptive';
  }

  describe(): string {
    if (!this.usesAdaptive) return this.fixed.describe();
    const c = this.cfg;
    return `adaptive: freeze when every encoder layer's SVCCA between checks ${c.adaptiveInterval} updates apart is ≥ ${c.adaptiveTau} for ${c.adaptiveChecks} checks (probe of ${c.probeSize} observations)`;
  }

  private analysisNet(): Encoder {
    if (!this.agent.analysisNet) {
      throw new Error(`agent '${this.agent.kind}' has no analysis network: no adaptive freezing or encoder snapshots`);
    }
    this.net ??= this.agent.analysisNet();
    return this.net;
  }

  /** Asked before every update while unfrozen. `replay` supplies the probe the first time. */
  shouldFreeze(update: number, envStep: number, replay: ImageReplay): boolean {
    if (!this.usesAdaptive) return this.fixed.shouldFreeze({ update, envStep, totalUpdates: this.totalUpdates });
    if (!this.adaptive) this.buildAdaptive(this.probe ?? this.drawProbe(replay));
    return this.adaptive!.shouldFreeze({ update, envStep, totalUpdates: this.totalUpdates });
  }

  /** Records an encoder snapshot when due. */
  afterUpdate(update: number): void {
    if (this.recorder && !this.agent.frozen) this.recorder.maybeRecord(update, { encoder: this.analysisNet() });
  }

  private drawProbe(replay: ImageReplay): Probe {
    const [lo, hi] = replay.storedRange();
    const n = Math.min(this.cfg.probeSize, hi - lo);
    if (n < 1) throw new Error('adaptive freezing needs stored observations for its probe; the replay is empty');
    const logical = Array.from({ length: n }, (_, i) => lo + Math.floor((i * (hi - lo)) / n));
    const raw = replay.stacksAt(logical) as Uint8Array;
    const [h, w, c] = replay.obsShape as [number, number, number];
    const side = this.analysisNet().inputShape[0];
    const data = side === h ? Float32Array.from(raw) : centerCrop(raw, n, { inShape: [h, w, c], out: side });
    this.probe = { data, shape: [n, side, side, c] };
    return this.probe;
  }

  private buildAdaptive(probe: Probe): void {
    const c = this.cfg;
    this.adaptive = adaptiveFreezeForEncoder(this.analysisNet(), probe, {
      tau: c.adaptiveTau,
      checks: c.adaptiveChecks,
      interval: c.adaptiveInterval,
      minUpdate: c.adaptiveInterval,
      maxUpdate: this.totalUpdates,
      onCheck: (check) => {
        // Each check runs the encoder forward over the probe: charge it to the run's compute.
        const perSample = this.analysisNet().forwardFlops(1);
        this.agent.flops.add('encode', { encoderForward: perSample * probe.shape[0] }, 0);
        this.onCheck(check);
      },
    });
  }

  exportState(): Snapshot {
    const arrays: Snapshot['arrays'] = {};
    const meta: Record<string, unknown> = {};
    if (this.probe) {
      arrays.probe = Float32Array.from(this.probe.data);
      meta.probeShape = this.probe.shape;
    }
    if (this.adaptive) {
      const st = this.adaptive.exportState();
      meta.adaptiveScalars = st.scalars;
      meta.adaptiveShapes = Object.fromEntries(Object.entries(st.tensors).map(([k, t]) => [k, t.shape]));
      for (const [k, t] of Object.entries(st.tensors)) arrays[`adaptive/${k}`] = t.data;
    }
    return { meta, arrays };
  }

  importState(state: Snapshot): void {
    if (state.arrays.probe)
      this.probe = { data: state.arrays.probe as Float32Array, shape: state.meta.probeShape as Probe['shape'] };
    if (state.meta.adaptiveScalars && this.probe && this.usesAdaptive) {
      this.buildAdaptive(this.probe);
      const shapes = state.meta.adaptiveShapes as Record<string, number[]>;
      const tensors: TensorRecord = {};
      for (const [k, shape] of Object.entries(shapes))
        tensors[k] = { shape, data: state.arrays[`adaptive/${k}`] as Float32Array };
      this.adaptive!.importState({ tensors, scalars: state.meta.adaptiveScalars as AdaptiveFreezeState['scalars'] });
    }
  }

  dispose(): void {
    this.net?.dispose();
  }
}
