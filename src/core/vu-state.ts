/**
 * What a driver may read about the VU that calls it. One object per VU, mutated in place by the
 * VU loop between iterations (never re-created per iteration).
 */
export interface VuState {
  /** 1-based VU id, unique across all workers of a run (k6's __VU). */
  readonly id: number
  /** Name of the scenario (user type) this VU runs. */
  readonly scenario: string
  /** 0-based iteration number of this VU (k6's __ITER). */
  iteration: number
  /**
   * For open-model (arrival-rate) executors: how late the current iteration started behind its
   * schedule, in ms. Drivers add it to a request's duration to record the coordinated-omission
   * corrected latency. `null` for closed-model executors.
   */
  lagMs: number | null
  /** Aborts when this VU's current iteration must stop (end of gracefulStop, test abort). */
  signal: AbortSignal
}
