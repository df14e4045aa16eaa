/**
 * Time as Bookdrop sees it. Handlers never call `new Date()` directly: in AWS the clock is the
 * system's; in the local sandbox `POST /sandbox/clock` moves it forward so the same handler code runs
 * at sandbox time.
 */
export interface Clock {
  now(): Date;
}

/** The system clock plus an offset that only the sandbox ever moves. */
class ProcessClock implements Clock {
  private offsetMs = 0;
  public now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  /** Moves the clock to `target`; it never goes backwards. Sandbox only. */
  public advanceTo(target: Date): void {
    const offset = target.getTime() - Date.now();
    if (offset > this.offsetMs) this.offsetMs = offset;
  }
}

/** The clock the handlers use. */
export const processClock = new ProcessClock();

/** A clock fixed at a given instant, for tests. */
export function fixedClock(at: string | Date): Clock & { set(at: string | Date): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next);
    },
  };
}

/** Epoch seconds `days` after `from`: the value of a TTL attribute. */
export function expiryAfterDays(from: Date, days: number): number {
  return Math.floor(from.getTime() / 1000) + days * 86_400;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone, e.g. the library's. */
export function dayIn(timeZone: string, at: string | Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));
}
