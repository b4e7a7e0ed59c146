/**
 * Simulated time. Everything the simulator schedules (pods becoming Ready, progress deadlines,
 * bookmarks, traffic) runs on this clock, which can run faster than the wall clock so that a
 * 10-minute progress deadline passes in seconds. Timestamps written into objects use it too.
 */
export class SimClock {
  private readonly startReal = Date.now();
  private readonly startSim: number;
  private offsetMs = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Simulated milliseconds per real millisecond. */
  readonly speed: number;

  // Plain fields rather than parameter properties: Node's type stripping runs this file as is.
  constructor(speed = 1, start = Date.now()) {
    this.speed = speed;
    if (!(speed > 0)) throw new Error('kube-sim: clock speed must be positive');
    this.startSim = start;
  }

  now(): number {
    return this.startSim + (Date.now() - this.startReal) * this.speed + this.offsetMs;
  }

  /** RFC 3339 with second precision, as `metav1.Time` serializes. */
  iso(): string {
    return `${new Date(this.now()).toISOString().slice(0, 19)}Z`;
  }

  /** Run `fn` after `simMs` of simulated time. */
  after(simMs: number, fn: () => void): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, simMs / this.speed),
    );
    timer.unref?.();
    this.timers.add(timer);
    return timer;
  }

  cancel(timer: NodeJS.Timeout | undefined): void {
    if (!timer) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  /** Real milliseconds that `simMs` of simulated time takes. */
  realMs(simMs: number): number {
    return simMs / this.speed;
  }

  /**
   * Jump simulated time forward (timestamps only: timers already scheduled keep their real
   * deadlines). Useful to age objects without waiting.
   */
  advance(simMs: number): void {
    this.offsetMs += simMs;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
