import { describe, expect, it } from 'vitest';
import { BUDGET, criticalPath, widgetFiles } from '../../scripts/widget-sizes.ts';

describe('widget size budget (gzip)', () => {
  const files = widgetFiles();

  it(`keeps the loader within ${BUDGET.loader} B`, () => {
    const loader = files.find((file) => file.path === '/v1/till.js');
    expect(loader, 'dist/widget/v1/till.js').toBeDefined();
    expect(loader!.gzip).toBeLessThanOrEqual(BUDGET.loader);
  });

  it(`keeps the critical path (loader + frame + its JS and CSS) within ${BUDGET.criticalPath} B`, () => {
    const critical = criticalPath(files);
    expect(critical.files.some((file) => file.path.endsWith('.js') && file.path !== '/v1/till.js')).toBe(true);
    expect(critical.files.some((file) => file.path.endsWith('.css'))).toBe(true);
    expect(critical.gzip).toBeLessThanOrEqual(BUDGET.criticalPath);
  });

  it('keeps the QR encoder off the critical path', () => {
    const critical = criticalPath(files);
    const lazy = files.filter((file) => !critical.files.includes(file) && file.path.endsWith('.js'));
    expect(lazy.length).toBeGreaterThan(0);
  });
});
