/** Counts of what the fuzzer sent and got back, printed at the end of a run. */
export class FuzzStats {
  private requests = 0;
  private readonly byClass = new Map<string, number>();
  private readonly byOperation = new Map<string, Map<number, number>>();
  private readonly codes = new Map<string, number>();
  private readonly codesByOperation = new Map<string, Map<string, number>>();

  record(operationId: string, status: number, code: string | null): void {
    this.requests++;
    const statusClass = `${Math.floor(status / 100)}xx`;
    this.byClass.set(statusClass, (this.byClass.get(statusClass) ?? 0) + 1);
    const statuses = this.byOperation.get(operationId) ?? new Map<number, number>();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    this.byOperation.set(operationId, statuses);
    if (code) {
      this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
      const codes = this.codesByOperation.get(operationId) ?? new Map<string, number>();
      codes.set(code, (codes.get(code) ?? 0) + 1);
      this.codesByOperation.set(operationId, codes);
    }
  }

  summary(operationIds: readonly string[], seed: number, runs: number, milliseconds: number): string {
    const covered = operationIds.filter((id) => this.byOperation.has(id));
    const succeeded = operationIds.filter((id) =>
      [...(this.byOperation.get(id)?.keys() ?? [])].some((status) => status < 300),
    );
    const classes = [...this.byClass].sort().map(([name, count]) => `${name} ${count}`);
    const never = operationIds.filter((id) => !succeeded.includes(id));
    const counted = (codes: Map<string, number> | undefined) =>
      [...(codes ?? [])]
        .sort((a, b) => b[1] - a[1])
        .map(([code, count]) => `${code} ${count}`)
        .join(', ');
    return [
      `fuzz: seed ${seed}, ${runs} runs per operation, ${(milliseconds / 1000).toFixed(1)} s`,
      `fuzz: ${this.requests} requests (${classes.join(', ')})`,
      `fuzz: ${covered.length}/${operationIds.length} operations covered, ${succeeded.length} reached a 1xx/2xx answer`,
      ...never.map((id) => `fuzz: never succeeded: ${id} (${counted(this.codesByOperation.get(id))})`),
      `fuzz: error codes: ${counted(this.codes)}`,
    ].join('\n');
  }
}
