/**
 * The queue's part of the `seer` command, plugged into lib/cli.ts's table of subcommands (addQueueCommands):
 *   seer sweep … --queue redis://…            enqueue the sweep's runs instead of running them here
 *   seer section <name|all> … --queue redis://…
 *   seer worker --queue redis://… [--jobs N] [--run-root <dir>]
 *   seer queue status --queue redis://… [--all]
 *   seer dashboard --queue redis://… [--host 127.0.0.1] [--port 3000] [--token <t>]
 * SEER_QUEUE stands for --queue, SEER_RUN_ROOT for --run-root (default data/runs). BullMQ, ioredis and express are
 * loaded only when a command uses the queue (lib/queue/cli.ts), so other commands start as fast as before.
 */
import * as path from 'path';
import type { FlagSpec, ParsedArgs, Subcommand } from '../cli';
import type { ExperimentConfig } from '../run/config';
import type { Scale } from '../run/scale';
import { UsageError } from '../util/validate';

const text = (meta: string): FlagSpec => ({ takes: 'value', meta });
const positive = (meta: string, min: number, max: number): FlagSpec => ({
  takes: 'value',
  meta,
  check: (v, f) => {
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`${f}: got '${v}'; expected an integer in [${min}, ${max}]`);
    return n;
  },
});

const QUEUE_FLAGS = { queue: text('redis://[:password@]host:port'), 'run-root': text('<dir>') } satisfies Record<
  string,
  FlagSpec
>;
const QUEUE_NOTE =
  '  --queue: put the runs on a Redis queue for `seer worker`s instead (or SEER_QUEUE; --run-root: the shared\n' +
  '           run root, default data/runs or SEER_RUN_ROOT; README "Scaling out")';

const usesQueue = (flags: Record<string, unknown>): boolean => flags.queue !== undefined || !!process.env.SEER_QUEUE;
// require, not import(): bin/seer.js registers tsx for require only (tsx/cjs).
const queueModule = async (): Promise<typeof import('./cli')> => require('./cli') as typeof import('./cli');

async function choice(flags: Record<string, unknown>) {
  const q = (await queueModule()).queueChoice(
    flags.queue as string | undefined,
    flags['run-root'] as string | undefined,
  );
  if (!q) throw new UsageError('--queue redis://[:password@]host:port is required (or SEER_QUEUE)');
  return q;
}

/** Adds --queue to a local command: with it (or SEER_QUEUE) `enqueue` runs, without it the command as before. */
function withQueue(
  spec: Subcommand,
  local: (a: ParsedArgs) => boolean,
  enqueue: (a: ParsedArgs) => Promise<number>,
): void {
  spec.flags = { ...spec.flags, ...QUEUE_FLAGS };
  spec.usage += `\n${QUEUE_NOTE}`;
  const runHere = spec.run.bind(spec);
  spec.run = async (a) => {
    if (local(a) || !usesQueue(a.flags)) {
      if (a.flags.queue === undefined && a.flags['run-root'] !== undefined)
        throw new UsageError('--run-root applies with --queue (or SEER_QUEUE)');
      return runHere(a);
    }
    if (a.flags.jobs !== undefined)
      throw new UsageError(
        '--jobs sets how many runs go on here; with --queue each worker sets its own (seer worker --jobs N)',
      );
    return enqueue(a);
  };
}

/**
 * Plugs the queue into `seer`'s table: --queue on sweep and section, and the worker, queue and dashboard commands.
 * `experimentInput` is lib/cli.ts's own reading of a sweep's experiment flags (--scale, --agent, --set, …).
 */
export function addQueueCommands(
  table: Record<string, Subcommand>,
  experimentInput: (flags: Record<string, unknown>) => Partial<ExperimentConfig>,
): void {
  withQueue(
    table.sweep,
    () => false,
    async ({ flags }) => {
      const base = experimentInput(flags);
      const out = flags.out as string;
      const runs: { dir: string; config: Partial<ExperimentConfig> & { env: string } }[] = [];
      for (const seed of flags.seeds as number[]) {
        for (const env of flags.envs as string[]) {
          for (const variant of flags.variants as string[]) {
            // The run directory named as `seer sweep` names it locally.
            runs.push({
              dir: path.join(out, `${env.replace('/', '_')}__${variant}__s${seed}`),
              config: { ...base, env, variant: variant as ExperimentConfig['variant'], seed },
            });
          }
        }
      }
      const m = await queueModule();
      return m.enqueueSweep(await choice(flags), runs);
    },
  );
  withQueue(
    table.section,
    (a) => a.flags.status === true,
    async ({ flags, positionals }) => {
      const m = await queueModule();
      return m.enqueueSection(
        await choice(flags),
        positionals[0],
        ((flags.scale as string | undefined) ?? 'laptop') as Scale,
        flags.root as string | undefined,
      );
    },
  );
  table.worker = {
    summary: 'takes runs off a Redis queue and runs them, each in its own process (README "Scaling out")',
    usage:
      'seer worker --queue redis://[:password@]host:port [--jobs N] [--run-root <dir>]\n' +
      '  --jobs: runs at a time (default 1; the cores are split between them)\n' +
      '  --run-root: where the shared run root is mounted here (default data/runs, or SEER_RUN_ROOT)\n' +
      '  Ctrl-C: running runs checkpoint and go back on the queue',
    flags: { ...QUEUE_FLAGS, jobs: positive('N', 1, 64) },
    run: async ({ flags }) =>
      (await queueModule()).runWorker(await choice(flags), (flags.jobs as number | undefined) ?? 1),
  };
  table.queue = {
    summary: "the queue's jobs: counts per state, and each unfinished or failed run with its progress or error",
    usage: 'seer queue status --queue redis://[:password@]host:port [--all]   (--all: finished runs too)',
    flags: { ...QUEUE_FLAGS, all: { takes: 'switch' } },
    positionals: (args) => {
      if (args.length !== 1 || args[0] !== 'status')
        throw new UsageError(
          `seer queue takes one subcommand: status${args.length ? ` (got '${args.join(' ')}')` : ''}`,
        );
    },
    run: async ({ flags }) => (await queueModule()).printStatus(await choice(flags), flags.all === true),
  };
  table.dashboard = {
    summary: 'bull-board for the queue on a local port (127.0.0.1; any other address needs --token)',
    usage:
      'seer dashboard --queue redis://[:password@]host:port [--host 127.0.0.1] [--port 3000] [--token <t>]\n' +
      '  --token (or SEER_DASHBOARD_TOKEN): required off loopback; open the printed URL with ?token=<t> once',
    flags: { ...QUEUE_FLAGS, host: text('<address>'), port: positive('N', 0, 65535), token: text('<t>') },
    run: async ({ flags }) =>
      (await queueModule()).serveDashboard(await choice(flags), {
        host: flags.host as string | undefined,
        port: (flags.port as number | undefined) ?? 3000,
        token: flags.token as string | undefined,
      }),
  };
}
