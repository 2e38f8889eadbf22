import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { figure, line, markers } from '../../lib/plots/spec';
import { renderFigure, saveFigure, decodeDataUrl, stableSvgIds } from '../../lib/plots/render';
import { closeBrowser } from '../../lib/plots/browser';
import { figureHtml, plotlyBundleHtml } from '../../lib/plots/html';
import { checkHtmlInBrowser } from '../../lib/notebook/run';
import { chromiumSkipReason } from './chromium';
import { tmpDir } from '../tmp';

const skip = chromiumSkipReason();
const tmp = tmpDir('seer-plots-');
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

test(
  'the browser check sees drawn figures, undrawn figures and console errors',
  { skip, timeout: 120_000 },
  async () => {
    const dir = tmp;
    const good = join(dir, 'good.html');
    writeFileSync(
      good,
      `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${plotlyBundleHtml()}${figureHtml(spec)}${figureHtml(spec)}</body></html>`,
    );
    const ok = await checkHtmlInBrowser(good);
    assert.deepEqual(
      { figures: ok.figures, rendered: ok.rendered, errors: ok.errors },
      { figures: 2, rendered: 2, errors: [] },
    );

    // No plotly on the page and a script error: the check must report both (this is what makes it able to fail).
    const bad = join(dir, 'bad.html');
    writeFileSync(
      bad,
      `<!DOCTYPE html><html><body>${figureHtml(spec)}<script>console.error('boom'); undefinedFn();</script></body></html>`,
    );
    const res = await checkHtmlInBrowser(bad, { timeoutMs: 2000 });
    assert.equal(res.figures, 1);
    assert.equal(res.rendered, 0);
    assert.ok(
      res.errors.some((e) => e.includes('boom')),
      res.errors.join('\n'),
    );
    assert.ok(
      res.errors.some((e) => e.includes('undefinedFn')),
      res.errors.join('\n'),
    );
  },
);

test("stableSvgIds replaces plotly's random id only where plotly writes it, the same way for the same figure", () => {
  const svg = (uid: string) =>
    `<svg><defs id="defs-${uid}"/><clipPath id="clip${uid}xyplot"/><g clip-path="url(#clip${uid}xyplot)"/><text>b8dc0d</text></svg>`;
  const a = stableSvgIds(svg('b8dc0d'));
  assert.equal(a, stableSvgIds(svg('4f11a2')));
  assert.ok(!a.includes('defs-b8dc0d') && !a.includes('clipb8dc0d'), a);
  assert.ok(a.includes('<text>b8dc0d</text>'), 'text that only looks like the id is kept');
});

test('the same figure rendered twice gives byte-identical SVG and PNG files', { skip, timeout: 180_000 }, async () => {
  const first = await saveFigure(spec, join(tmp, 'once'));
  const second = await saveFigure(spec, join(tmp, 'twice'));
  const svg1 = readFileSync(first.svg, 'utf8');
  assert.ok(!/id="defs-[0-9a-f]{6}"/.test(svg1), 'no random plotly id left');
  assert.equal(svg1, readFileSync(second.svg, 'utf8'));
  assert.deepEqual(readFileSync(first.png), readFileSync(second.png));
});

test(
  'a figure at 1,280 px in Chromium fits the page: no horizontal overflow, the legend inside',
  { skip, timeout: 120_000 },
  async () => {
    const wide = figure({
      title: 'three panels and a long legend',
      panels: [1, 2, 3].map((i) => ({
        title: `panel ${i}`,
        x: { title: 'x' },
        y: { title: 'y' },
        series: ['baseline (3 seeds)', 'seer (3 seeds; = baseline up to the split)'].map((n, k) =>
          line(n, [0, 1, 2], [k, k + 1, k + 2]),
        ),
      })),
    });
    const html = join(tmp, 'wide.html');
    writeFileSync(
      html,
      `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:8px">${plotlyBundleHtml()}${figureHtml(wide)}</body></html>`,
    );
    const { withBrowser } = await import('../../lib/plots/browser');
    const fits = await withBrowser(async (b) => {
      const page = await b.newPage({ viewport: { width: 1280, height: 900 } });
      try {
        await page.goto(`file://${html}`);
        await page.waitForFunction(`document.querySelector('.seer-plot svg.main-svg')`);
        return (await page.evaluate(`(() => {
        const legend = document.querySelector('.seer-plot .legend').getBoundingClientRect();
        return { scroll: document.documentElement.scrollWidth, legendRight: legend.right };
      })()`)) as { scroll: number; legendRight: number };
      } finally {
        await page.close();
      }
    });
    assert.ok(fits.scroll <= 1280, `page scrolls sideways: ${fits.scroll} px`);
    assert.ok(fits.legendRight <= 1280, `legend cut off at ${fits.legendRight} px`);
  },
);

test(
  'once drawn, the interactive figure hides the static PNG output that follows it (one figure each)',
  { skip, timeout: 120_000 },
  async () => {
    const png = readFileSync((await saveFigure(spec, join(tmp, 'static'))).png).toString('base64');
    const out = (inner: string) => `<div class="jp-OutputArea-child">${inner}</div>`;
    const page = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${plotlyBundleHtml()}<div class="jp-OutputArea">${out(figureHtml(spec))}${out(`<img src="data:image/png;base64,${png}">`)}${out('<p>text</p>')}</div></body></html>`;
    const html = join(tmp, 'outputs.html');
    writeFileSync(html, page);
    const { withBrowser } = await import('../../lib/plots/browser');
    const shown = await withBrowser(async (b) => {
      const p = await b.newPage({ viewport: { width: 1280, height: 900 } });
      try {
        await p.goto(`file://${html}`);
        await p.waitForFunction(`document.querySelector('.seer-plot svg.main-svg')`);
        await p
          .waitForFunction(
            `getComputedStyle(document.querySelectorAll('.jp-OutputArea-child')[1]).display === 'none'`,
            undefined,
            { timeout: 5000 },
          )
          .catch(() => undefined);
        return (await p.evaluate(
          `Array.from(document.querySelectorAll('.jp-OutputArea-child')).map((d) => getComputedStyle(d).display)`,
        )) as string[];
      } finally {
        await p.close();
      }
    });
    assert.deepEqual(shown, ['block', 'none', 'block']);
  },
);
