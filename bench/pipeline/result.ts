/** What each child of the pipeline bench prints (times measured inside the child, start-up excluded). */
export interface PipelineRunResult {
  bytes: number;
  rows: number;
  /** Sum of payloadBillableCount over the rows, checked against the generator. */
  payloadBillableSum: number;
  totalMs: number;
  stepsMs: Record<string, number>;
  /** Highest RSS sampled (every 20 ms) in each step, and after setup (modules loaded, connections open). */
  rssByStepMB?: Record<string, number>;
}
