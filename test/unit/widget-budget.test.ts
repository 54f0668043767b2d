import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUDGET, criticalPath, WIDGET_DIR, widgetFiles } from '../../scripts/widget-sizes.ts';
import en from '../../widget/app/locales/en.ts';
import zhCN from '../../widget/app/locales/zh-CN.ts';
import { LOCALES } from '../../widget/app/messages.ts';

describe('widget size budget (gzip)', () => {
  const files = widgetFiles();
  const critical = criticalPath(files);
  const text = (path: string): string => readFileSync(`${WIDGET_DIR}${path}`, 'utf8');
  const lazyScripts = files.filter((file) => !critical.files.includes(file) && file.path.endsWith('.js'));

  it(`keeps the loader within ${BUDGET.loader} B`, () => {
    const loader = files.find((file) => file.path === '/v1/till.js');
    expect(loader, 'dist/widget/v1/till.js').toBeDefined();
    expect(loader!.gzip).toBeLessThanOrEqual(BUDGET.loader);
  });

  it(`keeps the critical path (loader + frame + its JS and CSS) within ${BUDGET.criticalPath} B`, () => {
    expect(critical.files.some((file) => file.path.endsWith('.js') && file.path !== '/v1/till.js')).toBe(true);
    expect(critical.files.some((file) => file.path.endsWith('.css'))).toBe(true);
    expect(critical.gzip).toBeLessThanOrEqual(BUDGET.criticalPath);
  });

  it('loads every locale lazily, each in its own chunk, none on the critical path', () => {
    const criticalText = critical.files.map((file) => text(file.path)).join('\n');
    expect(criticalText).not.toContain(en.paidTitle);
    expect(criticalText).not.toContain(zhCN.paidTitle);
    const chunks = lazyScripts.map((file) => text(file.path));
    for (const locale of LOCALES) {
      expect(
        lazyScripts.some((file) => file.path.startsWith(`/v1/assets/${locale}-`)),
        locale,
      ).toBe(true);
    }
    expect(chunks.filter((chunk) => chunk.includes(en.paidTitle))).toHaveLength(1);
  });

  it('keeps the card form, the QR encoder and the appearance checks off the critical path', () => {
    const criticalText = critical.files.map((file) => text(file.path)).join('\n');
    for (const marker of ['cc-number', 'cc-csc', 'url(', 'colorPrimary'])
      expect(criticalText, marker).not.toContain(marker);
    for (const chunk of ['card-form', 'wallet-flows', 'appearance']) {
      expect(
        lazyScripts.some((file) => file.path.startsWith(`/v1/assets/${chunk}-`)),
        chunk,
      ).toBe(true);
    }
  });
});
