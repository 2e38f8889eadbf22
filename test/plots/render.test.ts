import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, line, markers } from '../../lib/plots/spec';
import { renderFigure, saveFigure, decodeDataUrl } from '../../lib/plots/render';
import { closeBrowser } from '../../lib/plots/browser';
import { figureHtml, plotlyBundleHtml } from '../../lib/plots/html';
import { checkHtmlInBrowser } from '../../lib/notebook/run';
import { chromiumSkipReason } from './chromium';

const skip = chromiumSkipReason();
const tmp = mkdtempSync(join(tmpdir(), 'seer-plots-'));
after(async () => {
  await closeBrowser();
  rmSync(tmp, { recursive: true, force: true });
});

const spec = figure({
  title: 'render check',
  panels: [
    {
      title: 'returns',
      x: { title: 'environment steps' },
      y: { title: 'return' },
      series: [line('SEER', [0, 1, 2, 3], [0, 1, 4, 9], { band: [0.5, 0.5, 0.5, 0.5] })],
      events: [{ x: 2, label: 'freeze' }],
    },
    { title: 'compute', x: { title: 'GFLOPs' }, y: { title: 'return' }, series: [markers('CURL', [1, 2], [3, 4])] },
  ],
  width: 800,
  height: 360,
});

test('decodeDataUrl reads both URI-encoded and base64 data URLs', () => {
  assert.equal(decodeDataUrl('data:image/svg+xml,%3Csvg%3E').toString(), '<svg>');
  assert.deepEqual([...decodeDataUrl('data:image/png;base64,AQID')], [1, 2, 3]);
  assert.throws(() => decodeDataUrl('nope'), /not a data URL/);
});

test('static SVG is drawn by plotly with the titles, series and event label', { skip, timeout: 120_000 }, async () => {
  const svg = (await renderFigure(spec, { format: 'svg' })).toString('utf8');
  assert.match(svg, /^<svg[^>]+class="main-svg"/);
  for (const text of ['render check', 'returns', 'compute', 'environment steps', 'freeze', 'SEER', 'CURL']) {
    assert.ok(svg.includes(text), `SVG should contain '${text}'`);
  }
});

test('saveFigure writes an SVG and a PNG of the figure size (× scale 2)', { skip, timeout: 120_000 }, async () => {
  const dir = tmp;
  const out = await saveFigure(spec, join(dir, 'fig'));
  assert.equal(out.svg, join(dir, 'fig.svg'));
  const png = readFileSync(out.png);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR: width and height are big-endian uint32 at bytes 16 and 20.
  assert.equal(png.readUInt32BE(16), 1600);
  assert.equal(png.readUInt32BE(20), 720);
  assert.deepEqual(png, out.pngBytes);
});

test('the browser check sees drawn figures, undrawn figures and console errors', { skip, timeout: 120_000 }, async () => {
  const dir = tmp;
  const good = join(dir, 'good.html');
  writeFileSync(good, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${plotlyBundleHtml()}${figureHtml(spec)}${figureHtml(spec)}</body></html>`);
  const ok = await checkHtmlInBrowser(good);
  assert.deepEqual({ figures: ok.figures, rendered: ok.rendered, errors: ok.errors }, { figures: 2, rendered: 2, errors: [] });

  // No plotly on the page and a script error: the check must report both (this is what makes it able to fail).
  const bad = join(dir, 'bad.html');
  writeFileSync(bad, `<!DOCTYPE html><html><body>${figureHtml(spec)}<script>console.error('boom'); undefinedFn();</script></body></html>`);
  const res = await checkHtmlInBrowser(bad, { timeoutMs: 2000 });
  assert.equal(res.figures, 1);
  assert.equal(res.rendered, 0);
  assert.ok(res.errors.some((e) => e.includes('boom')), res.errors.join('\n'));
  assert.ok(res.errors.some((e) => e.includes('undefinedFn')), res.errors.join('\n'));
});
