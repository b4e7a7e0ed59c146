/** What one target did, as reported in the `results` output and the step summary. */
export interface TargetResult {
  target: string;
  ok: boolean;
  /** Nothing was sent on purpose (dry run, or the status does not concern this target). */
  skipped?: boolean;
  httpStatus?: number;
  attempts: number;
  error?: string;
  /** Values later steps need: Slack `ts`, PagerDuty `dedup_key`, the deployment id. */
  detail?: Record<string, string>;
  /** What was cut to fit the provider's limits. */
  truncated?: string[];
}
