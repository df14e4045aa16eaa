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

// Building an Intl.DateTimeFormat costs far more than formatting with one: one per time zone, kept.
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const timeFormats = new Map<string, Intl.DateTimeFormat>();
function formatter(cache: Map<string, Intl.DateTimeFormat>, timeZone: string, build: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    format = build();
    cache.set(timeZone, format);
  }
  return format;
}

/** The calendar day (YYYY-MM-DD) of an instant in a time zone, e.g. the library's. */
export function dayIn(timeZone: string, at: string | Date): string {
  return formatter(
    dayFormats,
    timeZone,
    () => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
  ).format(new Date(at));
}

/** Local wall-clock time `HH:MM` of an instant in a time zone. */
export function timeIn(timeZone: string, at: Date): string {
  return formatter(
    timeFormats,
    timeZone,
    () => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  ).format(at);
}

/** The instant at which the wall clock of `timeZone` shows `time` (HH:MM) on `day` (YYYY-MM-DD). */
export function zonedInstant(timeZone: string, day: string, time: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const wanted = Date.UTC(year, month - 1, date, hour, minute);
  let guess = wanted;
  // Two corrections settle any offset, daylight-saving changes included.
  for (let i = 0; i < 2; i++) {
    const shown = new Date(guess);
    const [d, t] = [dayIn(timeZone, shown), timeIn(timeZone, shown)];
    const [y2, m2, d2] = d.split('-').map(Number) as [number, number, number];
    const [h2, mi2] = t.split(':').map(Number) as [number, number];
    guess += wanted - Date.UTC(y2, m2 - 1, d2, h2, mi2);
  }
  return new Date(guess);
}
