/**
 * axe-core in a page or in the checkout frame. The frame's policy is `script-src 'self'`, so a
 * script tag with axe inline would be refused; the source is evaluated over the DevTools
 * protocol instead (Runtime.evaluate), which the page's CSP does not govern — the same way
 * Playwright's own evaluate works in the frame. Nothing is added to the page's DOM.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. Best practices stay in: the
 * frame is a whole document of its own (a screen reader treats it as such), so landmarks,
 * heading order and the like matter there as on any page.
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] as const;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: Array<{ target: string[]; html: string; failureSummary: string }>;
}

export interface AxeOptions {
  /** Rules to leave out, each with the reason in the caller's code. */
  disableRules?: string[];
  /**
   * Whether axe checks the page with its iframes as one, as a screen reader meets it: page-level
   * rules (one h1, one main landmark, …) then hold across the frames. Axe is put into each child
   * frame first. Off by default: the document alone.
   */
  iframes?: boolean;
}

/** Runs axe in the document of `target` (a page's main frame or any frame) and returns the violations. */
async function inject(frame: Frame): Promise<void> {
  const present = await frame.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object');
  if (!present) await frame.evaluate(axeSource);
}

export async function runAxe(target: Page | Frame, options: AxeOptions = {}): Promise<AxeViolation[]> {
  const frame = 'mainFrame' in target ? target.mainFrame() : target;
  const iframes = options.iframes ?? false;
  // Across frames, axe in each frame answers the top one (by postMessage, cross-origin too).
  const frames = iframes ? [frame, ...frame.childFrames()] : [frame];
  for (const each of frames) await inject(each);
  return frame.evaluate(
    async ({ tags, disableRules, iframes }) => {
      const axe = (
        window as unknown as {
          axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
        }
      ).axe;
      const rules = Object.fromEntries(disableRules.map((id) => [id, { enabled: false }]));
      const result = await axe.run(document, {
        runOnly: { type: 'tag', values: tags },
        rules,
        iframes,
        frameWaitTime: 10_000,
        resultTypes: ['violations'],
      });
      return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        helpUrl: violation.helpUrl,
        nodes: violation.nodes.map((node) => ({
          target: node.target.map(String),
          html: node.html.slice(0, 200),
          failureSummary: node.failureSummary,
        })),
      }));
    },
    { tags: [...AXE_TAGS], disableRules: options.disableRules ?? [], iframes },
  );
}

/** One line per failing element, readable in a test report. */
export function formatViolations(violations: AxeViolation[], label: string): string {
  if (!violations.length) return `${label}: no axe violations`;
  const lines = [`${label}: ${violations.length} axe violation(s)`];
  for (const violation of violations) {
    lines.push(`  ${violation.id} [${violation.impact ?? 'n/a'}] ${violation.help} (${violation.helpUrl})`);
    for (const node of violation.nodes.slice(0, 5)) {
      const summary = node.failureSummary
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .join(' | ');
      lines.push(`    ${node.target.join(' ')}: ${summary}`);
    }
    if (violation.nodes.length > 5) lines.push(`    … and ${violation.nodes.length - 5} more`);
  }
  return lines.join('\n');
}

/**
 * Asserts that axe finds nothing in `target`'s document. `soft` records the failure and lets the
 * test go on (vitest's expect.soft), so one run reports every state's findings.
 */
export async function expectAccessible(
  target: Page | Frame,
  label: string,
  options: AxeOptions & { soft?: boolean } = {},
): Promise<AxeViolation[]> {
  const violations = await runAxe(target, options);
  const check = options.soft ? expect.soft : expect;
  check(
    violations.map((violation) => violation.id),
    formatViolations(violations, label),
  ).toEqual([]);
  return violations;
}
