// Types of the shared scenario (scenario.js, the same file in every example).
export function makeData(): {
  series: Float64Array;
  timestamps: Float64Array;
  X: Float64Array;
  dims: number;
};
export function runScenario(
  ew: Record<string, unknown>,
  options?: { workers?: boolean; storage?: 'indexeddb' | 'memory' },
): Promise<{
  moments: Record<string, number>;
  anomalyEvents: number[];
  poolScopes?: string[];
  kernelWorkerScope?: string;
  stored: number[][] | null;
  [key: string]: unknown;
}>;
