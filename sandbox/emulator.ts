/**
 * One supervised local emulator (DynamoDB Local, the local SES): started on a port it keeps, restarted
 * on that port if its process dies (a few times, then left down with a plain instruction), and probed
 * for `/sandbox/status`.
 */
import type { LocalService } from '#sandbox/localServices.ts';

/** An emulator's health as `/sandbox/status` reports it. */
export interface EmulatorHealth {
  readonly endpoint: string;
  readonly pid: number | undefined;
  /** `up`: answering; `restarting`: its process died and a new one is starting; `down`: not answering. */
  readonly state: 'up' | 'restarting' | 'down';
  readonly restarts: number;
  /** What happened last, and what it means for the sandbox's data. */
  readonly note?: string;
  /** What the operator should do, when the sandbox cannot fix it itself. */
  readonly action?: string;
  readonly warning?: string;
}

/** Restarts allowed within {@link RESTART_WINDOW_MS} by default; past that the emulator is left down. */
export const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 10 * 60_000;

export interface EmulatorOptions {
  /** Starts the process on `port` (a free one when undefined). */
  readonly start: (port: number | undefined) => Promise<LocalService>;
  /** True if the emulator answers; must not throw. */
  readonly probe: (endpoint: string) => Promise<boolean>;
  /** What a restart means for the data it held, for the status note. */
  readonly lossOnRestart: string;
  /** @default MAX_RESTARTS */
  readonly maxRestarts?: number;
}

export class Emulator {
  private state: EmulatorHealth['state'] = 'up';
  private restartTimes: number[] = [];
  private restartCount = 0;
  private note: string | undefined;
  private action: string | undefined;
  private restarting: Promise<void> | undefined;
  /** Runs after each restart (recreate the table, re-read the stream...). */
  public afterRestart: () => Promise<void> = async () => undefined;

  private constructor(
    public readonly name: string,
    private service: LocalService,
    private readonly options: EmulatorOptions,
  ) {
    this.watch();
  }

  public static async start(name: string, options: EmulatorOptions): Promise<Emulator> {
    return new Emulator(name, await options.start(undefined), options);
  }

  public get endpoint(): string {
    return this.service.endpoint;
  }

  /** Resolves when a restart in progress (if any) has finished. */
  public ready(): Promise<void> {
    return this.restarting ?? Promise.resolve();
  }

  private watch(): void {
    this.service.onUnexpectedExit((reason) => {
      this.restarting = this.restart(reason).finally(() => (this.restarting = undefined));
    });
  }

  /** Starts an emulator that was left down again (`POST /sandbox/redrive` does, before redriving). */
  public async revive(): Promise<void> {
    await this.ready();
    if (this.state !== 'down') return;
    this.restarting = this.restart('was down', true).finally(() => (this.restarting = undefined));
    await this.restarting;
  }

  private async restart(reason: string, forced = false): Promise<void> {
    const now = Date.now();
    const limit = this.options.maxRestarts ?? MAX_RESTARTS;
    this.restartTimes = this.restartTimes.filter((at) => now - at < RESTART_WINDOW_MS);
    if (!forced && this.restartTimes.length >= limit) {
      this.state = 'down';
      this.note = `${this.name} ${reason} at ${new Date(now).toISOString()}, after ${this.restartTimes.length} restarts in 10 minutes: not restarted.`;
      this.action =
        'POST /sandbox/redrive starts it again and reruns the work that failed; if it keeps dying, stop the sandbox (Ctrl-C), check memory and Java, and start it again.';
      return;
    }
    this.restartTimes.push(now);
    this.restartCount++;
    this.state = 'restarting';
    try {
      this.service = await this.options.start(this.service.port);
      await this.afterRestart();
      this.watch();
      this.state = 'up';
      this.note = `${this.name} ${reason} at ${new Date(now).toISOString()} and was restarted on the same port. ${this.options.lossOnRestart}`;
      this.action = 'Work that failed while it was down is in the dead-letter lists: POST /sandbox/redrive to run it again.';
    } catch (error) {
      this.state = 'down';
      this.note = `${this.name} ${reason} and could not be restarted: ${(error as Error).message}`;
      this.action = 'Stop the sandbox (Ctrl-C) and start it again; then POST /sandbox/redrive.';
    }
  }

  public async health(): Promise<EmulatorHealth> {
    let state = this.state;
    let action = this.action;
    if (state === 'up' && !(await this.options.probe(this.service.endpoint))) {
      state = 'down';
      action = `${this.name} does not answer at ${this.service.endpoint}: stop the sandbox (Ctrl-C) and start it again.`;
    }
    return {
      endpoint: this.service.endpoint,
      pid: this.service.pid,
      state,
      restarts: this.restartCount,
      ...(this.note ? { note: this.note } : {}),
      ...(action ? { action } : {}),
      ...(this.service.warning ? { warning: this.service.warning } : {}),
    };
  }

  public stop(): Promise<void> {
    return this.service.stop();
  }
}

/** Resolves `check()` or false after `ms`, whichever comes first. */
export async function answersWithin(check: () => Promise<boolean>, ms = 2000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().catch(() => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
