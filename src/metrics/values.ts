/**
 * Aggregated values of one metric (all series matching a name and a tag filter, merged).
 * This is what thresholds and matchers read. Durations are in milliseconds.
 */
export interface TrendValues {
  readonly type: 'trend'
  readonly count: number
  readonly min: number
  readonly max: number
  readonly avg: number
  /** Value at percentile `p` (0–100) in ms, by k6's rule (interpolated between ranks; see percentile.ts), from the HDR histogram. */
  percentile(p: number): number
}
export interface CounterValues {
  readonly type: 'counter'
  readonly count: number
  /** Per second over the run's duration. */
  readonly rate: number
}
export interface RateValues {
  readonly type: 'rate'
  readonly passes: number
  readonly fails: number
  /** passes / (passes + fails); 0 when there were no samples. */
  readonly rate: number
}
export interface GaugeValues {
  readonly type: 'gauge'
  readonly value: number
  readonly min: number
  readonly max: number
}
export type MetricValues = TrendValues | CounterValues | RateValues | GaugeValues

/** Looks up a metric by name, merged over the series whose tags contain `filter`. */
export interface MetricQuery {
  query(name: string, filter?: Readonly<Record<string, string>>): MetricValues | undefined
}
