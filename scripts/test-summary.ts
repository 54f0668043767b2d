/** Prints one plain closing line (`Tests: N passed, N failed, N skipped`) from Vitest's JSON report. */
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
const report = JSON.parse(readFileSync(file, 'utf8')) as {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
};
console.log(
  `Tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ` +
    `${report.numPendingTests + report.numTodoTests} skipped`,
);
process.exit(report.numFailedTests > 0 ? 1 : 0);
