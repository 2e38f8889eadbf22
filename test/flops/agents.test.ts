import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { RainbowAgent } from '../../lib/agents/rainbow';
import { CurlAgent } from '../../lib/agents/curl';
import { setup } from '../agents/helpers';

before(setup);

test('agents built on the real encoders report the hand-counted FLOPs per action and per encoded observation', () => {
  const rb = new RainbowAgent({ obsShape: [84, 84, 4], numActions: 18 });
  rb.act(new Uint8Array(84 * 84 * 4), 'explore');
  // convs 16²·32·100 + 3²·64·800 = 1,280,000 MACs; dueling head 2·576·256 + 256·51 + 256·18·51 = 542,976.
  assert.equal(rb.flops.last.act.acting, 2 * (1_280_000 + 542_976));
  rb.freezeEncoder();
  rb.encodeLatents(new Uint8Array(3 * 84 * 84 * 4), 3, false);
  assert.equal(rb.flops.last.encode.augmentation, 3 * 2 * 1_280_000);
  rb.dispose();

  const curl = new CurlAgent({ obsShape: [100, 100, 9], actionDim: 6, hidden: 32 });
  curl.act(new Uint8Array(100 * 100 * 9), 'eval');
  // convs on the 84×84 centre crop 42,280,992 MACs; fc 39,200·50; actor MLP 50·32 + 32·32 + 32·12.
  assert.equal(curl.flops.last.act.acting, 2 * (42_280_992 + 1_960_000 + 50 * 32 + 32 * 32 + 32 * 12));
  curl.freezeEncoder();
  curl.encodeLatents(new Uint8Array(2 * 100 * 100 * 9), 2, true);
  assert.equal(curl.flops.last.encode.augmentation, 2 * 2 * (42_280_992 + 2 * 1_960_000));
  curl.dispose();
});
