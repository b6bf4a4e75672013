/**
 * The anomaly event: what detectors running on a bus emit on
 * `anomaly.<series>` (`detectOnWindows`, `WorkerAnomalyMonitor`).
 */

/** The payload of the `anomaly.<series>` events. */
export interface AnomalyEvent {
  series: string;
  timestamp: number;
  value: number;
  score: number;
  /** Each member detector's calibrated score for this record. */
  contributions: Record<string, number>;
}
