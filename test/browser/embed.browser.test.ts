import { describe, expect, it } from 'vitest';
import { demoSuite, watchPage } from './suite';

const suite = demoSuite();

describe('<edgewise-sparkline> embedded in a host page', () => {
  it('is fed by page events, flags the incident, and styles do not leak either way', async () => {
    const { page, problems, cspViolations } = await watchPage(suite.browser, { csp: true });
    await page.goto(suite.url('embed.html?fast=1'));
    await page.waitForSelector('body[data-fed="300"]');
    const anomalies = Number(await page.getAttribute('#latency', 'data-anomalies'));
    expect(anomalies).toBeGreaterThanOrEqual(1);
    const inside = await page.evaluate(() => {
      const root = document.querySelector('#latency')!.shadowRoot!;
      const canvas = root.querySelector('canvas')!;
      const label = root.querySelector('.label')!;
      return {
        canvasBorder: getComputedStyle(canvas).borderTopStyle,
        labelTransform: getComputedStyle(label).textTransform,
        labelText: label.textContent,
        labelFont: getComputedStyle(label).fontFamily,
        labelColor: getComputedStyle(label).color,
        status: root.querySelector('[role=status]')!.textContent,
        drawn: canvas.width > 0,
      };
    });
    // host rules (dashed canvas border, uppercase .label) do not reach the shadow tree
    expect(inside.canvasBorder).not.toBe('dashed');
    expect(inside.labelTransform).toBe('none');
    expect(inside.labelText).toBe('Checkout latency (ms)');
    // inherited host styles (serif font, green text on every element) are cut off too
    expect(inside.labelFont).not.toMatch(/Georgia/);
    expect(inside.labelColor).not.toBe('rgb(0, 90, 0)');
    expect(inside.status).toMatch(/anomal/);
    expect(inside.drawn).toBe(true);
    // and the widget's .value rule (tabular numbers, no size) does not change the host's .value
    const hostFont = await page.$eval('#host-value', (e) => getComputedStyle(e).fontSize);
    expect(hostFont).toBe('20px');
    expect(await cspViolations()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
