/**
 * Every input of the `seer` command is checked (issue 16 §5): unknown commands and flags are errors naming them and
 * the accepted ones, values are validated before anything runs, file-system problems name the path and what to do;
 * usage errors exit 2, failures 1. Each case below was accepted (or gave a raw error) before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main, registerSubcommand, SUBCOMMANDS, usage } from '../lib/cli';
import { CURL_SPEC } from '../lib/agents/curl-args';
import { RAINBOW_SPEC } from '../lib/agents/rainbow-args';
import { sectionJobs } from '../lib/plan/sections';
import { isDone } from '../lib/run/done';
import { tmpDir } from './tmp';

process.env.SEER_QUIET = '1';

/** Runs the CLI function, capturing what it prints. */
async function seer(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const tmp = (): string => tmpDir('seer-cli-');
const RUN = ['run', '--env', 'minatar/breakout', '--scale', 'smoke'];

test('run: an unknown flag (--seeds, --foo) is an error naming it and the accepted ones', async () => {
  const dir = path.join(tmp(), 'x');
  const r = await seer(...RUN, '--seeds', '5', '--out', dir);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /unknown flag --seeds for 'seer run' \(did you mean --seed\?\); accepted flags: --env, .*--seed, .*--set/,
  );
  const foo = await seer(...RUN, '--foo', 'bar', '--out', dir);
  assert.equal(foo.code, 2);
  assert.match(foo.err, /unknown flag --foo for 'seer run'; accepted flags:/);
  assert.equal(fs.existsSync(dir), false);
});

test('sweep --jobs abc is a usage error and runs nothing', async () => {
  const out = path.join(tmp(), 'sweep');
  const sweep = ['sweep', '--envs', 'minatar/breakout', '--variants', 'baseline'];
  const r = await seer(...sweep, '--seeds', '0', '--scale', 'smoke', '--out', out, '--jobs', 'abc');
  assert.equal(r.code, 2);
  assert.match(r.err, /--jobs: got 'abc'; expected an integer in \[1, 64\]/);
  assert.equal(fs.existsSync(out), false);
  const seeds = await seer(...sweep, '--seeds', '0,x', '--out', out);
  assert.equal(seeds.code, 2);
  assert.match(seeds.err, /--seeds: got 'x'; expected an integer/);
});

test('--set memoryBudget=banana is refused for every variant, before a manifest exists', async () => {
  for (const variant of ['baseline', 'seer', 'constrained-seer']) {
    const dir = path.join(tmp(), variant);
    const r = await seer(...RUN, '--variant', variant, '--set', 'memoryBudget=banana', '--out', dir);
    assert.equal(r.code, 2, variant);
    assert.match(r.err, /config\.memoryBudget: Memory budget 'banana' is not understood: use .*'0\.03GB'/);
    assert.equal(fs.existsSync(path.join(dir, 'manifest.json')), false);
  }
});

test("--set agentOptions.fooBar=1 is refused, naming the agent's accepted options", async () => {
  const r = await seer(...RUN, '--set', 'agentOptions.fooBar=1', '--out', path.join(tmp(), 'x'));
  assert.equal(r.code, 2);
  assert.match(r.err, /config\.agentOptions\.fooBar: not an option of rainbow; accepted options: hidden, atoms, .*lr/);
  const curl = await seer(
    'run',
    '--env',
    'cartpole-swingup',
    '--set',
    'agentOptions.lr=1',
    '--out',
    path.join(tmp(), 'y'),
  );
  assert.equal(curl.code, 2);
  assert.match(curl.err, /agentOptions\.lr: not an option of curl; accepted options: .*actorLr, criticLr/);
});

test('--seed abc says what it got and what is accepted (not "got null")', async () => {
  const r = await seer(...RUN, '--seed', 'abc', '--out', path.join(tmp(), 'x'));
  assert.equal(r.code, 2);
  assert.match(r.err, /--seed: got 'abc'; expected an integer in \[0, 2147483647\]/);
  assert.doesNotMatch(r.err, /null/);
});

test('a misspelt command is named, with the commands there are', async () => {
  const r = await seer('rnu');
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /unknown command 'rnu' \(did you mean 'run'\?\); commands: run, sweep, report, analyze, demo, section/,
  );
  assert.equal((await seer()).code, 2);
});

test('--out naming a file is an error that names the path and what to do, not a raw EEXIST', async () => {
  const file = path.join(tmp(), 'a-file');
  fs.writeFileSync(file, 'x');
  const r = await seer(...RUN, '--out', file);
  assert.equal(r.code, 2);
  assert.match(r.err, /--out .*a-file: .*a-file is a file, not a directory: choose another path/);
  assert.doesNotMatch(r.err, /EEXIST/);
  const under = await seer(...RUN, '--out', path.join(file, 'run'));
  assert.match(under.err, /a-file is a file, so .* cannot be created under it/);
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Makes `dir` unwritable (immutable for root, which ignores permission bits); false when this machine cannot. */
function makeReadOnly(dir: string): boolean {
  if (process.getuid?.() !== 0) {
    fs.chmodSync(dir, 0o555);
    return true;
  }
  return spawnSync('chattr', ['+i', dir]).status === 0;
}

test('--out in a read-only directory names the directory and what to do, not a raw EPERM', async (t) => {
  const ro = tmp();
  if (!makeReadOnly(ro)) return t.skip('cannot make a directory read-only here (no chattr as root)');
  try {
    const r = await seer(...RUN, '--out', path.join(ro, 'run'));
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      new RegExp(
        `${escape(ro)}.*(read-only|permission denied).*choose (another directory|a directory you can write to)`,
      ),
    );
  } finally {
    spawnSync('chattr', ['-i', ro]);
    fs.chmodSync(ro, 0o755);
  }
});

test('each subcommand has its own flags: a flag of another one is refused by name', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['report', '--runs', tmp(), '--seed', '1'],
      /unknown flag --seed for 'seer report'; accepted flags: --runs, --envs, --out/,
    ],
    [
      ['analyze', '--run', tmp(), '--out', tmp(), '--taus', '0.9,abc'],
      /--taus: got 'abc'; expected numbers in \(0, 1\]/,
    ],
    [['demo', '--jobs', '0'], /--jobs: got '0'; expected an integer in \[1, 64\]/],
    [['demo', '--env', 'x'], /unknown flag --env for 'seer demo'; accepted flags: --out, --jobs/],
    [['section', 'compte'], /section: got 'compte' \(did you mean 'compute'\?\)/],
    [
      ['section', 'compute', '--scales', 'laptop'],
      /unknown flag --scales for 'seer section' \(did you mean --scale\?\)/,
    ],
    [['section', 'compute', '--jobs', 'two'], /--jobs: got 'two'/],
    [['report', '--runs', path.join(tmp(), 'none')], /--runs: .*none does not exist/],
    [[...RUN, '--out', tmp(), '--seed', '1', '--seed', '2'], /--seed is given twice \('1' and '2'\)/],
    [[...RUN, '--out'], /--out needs a value/],
    [['run', '--scale', 'smoke', '--out', tmp()], /--env is required/],
    [[...RUN, '--out', tmp(), '--set', 'seed=3'], /give seed with --seed instead/],
    [[...RUN, '--out', tmp(), 'extra'], /unexpected argument 'extra' for 'seer run'/],
  ];
  for (const [argv, message] of cases) {
    const r = await seer(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, message, argv.join(' '));
  }
});

test('seer --help documents the exit codes and every subcommand; <command> --help its flags', async () => {
  const r = await seer('--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /exit codes:\n\s+0 .*\n\s+1 .*failure.*\n\s+2 .*usage error/);
  for (const [name, spec] of Object.entries(SUBCOMMANDS))
    if (spec.hidden) assert.doesNotMatch(r.out, new RegExp(`\\n  ${name} `));
    else assert.match(r.out, new RegExp(`\\n  ${name} `));
  const run = await seer('run', '--help');
  assert.equal(run.code, 0);
  assert.match(run.out, /accepted flags: --env, .*--fork-from/);
});

test("seer run --help lists each agent's options: default, accepted values, doc, from the specs", async () => {
  const r = await seer('run', '--help');
  assert.equal(r.code, 0);
  const section = (agent: string, next: string) => r.out.slice(r.out.indexOf(`  ${agent}:\n`), r.out.indexOf(next));
  const curl = section('curl', '  rainbow:');
  const rainbow = section('rainbow', 'exit codes:');
  for (const [text, spec] of [
    [curl, CURL_SPEC],
    [rainbow, RAINBOW_SPEC],
  ] as const) {
    for (const [name, f] of Object.entries(spec)) {
      if (['encoder', 'batchSize', 'seed'].includes(name)) continue; // their own flags, said once above the lists
      const row = text.split('\n').find((l) => l.trim().startsWith(`${name} `));
      assert.ok(row, `${name} is listed`);
      const shown = typeof f.default === 'string' ? `'${f.default}'` : String(f.default);
      for (const part of [shown, f.accepts, f.doc]) assert.ok(row.includes(part), `${name}: ${row} lacks ${part}`);
    }
  }
  assert.match(rainbow, /nStep +20 +a positive integer +n of the n-step returns/);
  assert.match(curl, /criticTau +0\.01 +in \(0, 1\] +EMA rate of the target Qs/);
  assert.match(r.out, /set with their own flags: encoder \(--encoder\), batchSize .*seed \(--seed\)/);
  assert.match(rainbow, /set by scale: smoke hidden=32 targetUpdate=10; benchmark prioritizedReplay=false/);
  // the general help lists commands, not every option
  assert.doesNotMatch((await seer('--help')).out, /priorityExponent/);
});

test('section-job: one job of a plan, named by its run directory; what the section queue starts per run', async () => {
  const root = path.join(tmp(), 'compute');
  const job = sectionJobs('compute', 'smoke', root).find((j) => j.env === 'minatar/breakout' && !j.forkFrom)!;
  const cases: [string[], RegExp][] = [
    [['section-job', 'compute', 'smoke', root], /seer section-job expects <section> <scale> <root> <run dir\|index>/],
    [['section-job', 'compte', 'smoke', root, job.dir], /section: got 'compte' \(did you mean 'compute'\?\)/],
    [['section-job', 'compute', 'tiny', root, job.dir], /scale: got 'tiny'; accepted values: smoke, laptop/],
    [['section-job', 'compute', 'smoke', root, job.dir, '--out', root], /--out .* is not the job's run directory/],
    [['section', 'job', 'compute', 'smoke', root, job.dir], /seer section takes one section name/],
  ];
  for (const [argv, message] of cases) {
    const r = await seer(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, message, argv.join(' '));
  }
  assert.equal(fs.existsSync(root), false, 'a usage error runs nothing');
  const missing = await seer('section-job', 'compute', 'smoke', root, path.join(root, 'nope'));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no job '.*nope' in section compute at scale smoke .*give an index below \d+/);
  // As the section queue starts it: runSweep appends --out <run dir> --resume.
  const r = await seer('section-job', 'compute', 'smoke', root, job.dir, '--out', job.dir, '--resume');
  assert.equal(r.code, 0, r.err);
  assert.ok(isDone(job.dir));
  const help = await seer('section-job', '--help');
  assert.equal(help.code, 0);
  assert.match(help.out, /seer section-job <section> <scale> <root> <run dir\|index>/);
});

test("a registered subcommand (the queue's hook) gets the same checking", async () => {
  let got: unknown;
  registerSubcommand('test-echo', {
    summary: 'echo',
    usage: 'seer test-echo --n N',
    flags: { n: { takes: 'value', meta: 'N', check: (v) => Number(v) } },
    async run({ flags }) {
      got = flags.n;
      return 0;
    },
  });
  try {
    assert.equal((await seer('test-echo', '--n', '3')).code, 0);
    assert.equal(got, 3);
    assert.match(
      (await seer('test-echo', '--m', '3')).err,
      /unknown flag --m for 'seer test-echo'; accepted flags: --n/,
    );
    assert.match(usage(), /test-echo/);
    assert.throws(() => registerSubcommand('run', SUBCOMMANDS.run), /already registered/);
  } finally {
    delete SUBCOMMANDS['test-echo'];
  }
});

test('bin/seer.js exits 2 on a usage error and 1 on a failure while working', () => {
  const bin = path.join(__dirname, '..', 'bin', 'seer.js');
  const env = { ...process.env, SEER_QUIET: '1' };
  const usageError = spawnSync(
    process.execPath,
    [bin, 'run', '--env', 'minatar/breakout', '--seeds', '5', '--out', tmp()],
    { env, encoding: 'utf8' },
  );
  assert.equal(usageError.status, 2);
  assert.match(usageError.stderr, /unknown flag --seeds/);
  // A runs folder with no runs in it: the report fails while working (nothing wrong with the command line).
  const failure = spawnSync(process.execPath, [bin, 'report', '--runs', tmp(), '--out', path.join(tmp(), 'r')], {
    env,
    encoding: 'utf8',
  });
  assert.equal(failure.status, 1, failure.stderr);
});
