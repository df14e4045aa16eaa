/**
 * A local SMS sink that speaks the SNS API (AWS Query protocol: form-encoded requests, XML
 * responses), so the real `@aws-sdk/client-sns` publishes to it unchanged. It keeps what was sent;
 * nothing leaves the machine.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { freePort } from '#sandbox/localServices.ts';
import type { Clock } from '#shared/clock.ts';

export interface SentSms {
  readonly id: string;
  readonly to: string;
  readonly from: string | undefined;
  readonly body: string;
  readonly sentAt: string;
}

/** A fault the next Publish answers with (for tests of error handling). */
export interface SnsFault {
  readonly status: number;
  readonly code: string;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

export class SmsSink {
  public readonly messages: SentSms[] = [];
  /** The account-level opt-out list SNS keeps (numbers that opted out through SNS itself). */
  public readonly optedOut = new Set<string>();
  private readonly optedInAt = new Map<string, number>();
  private readonly faults: SnsFault[] = [];
  private server: Server | undefined;
  public endpoint = '';

  public constructor(private readonly clock: Clock) {}

  /** What the sink holds, to keep on disk. */
  public snapshot(): { messages: SentSms[]; optedOut: string[]; optedInAt: [string, number][] } {
    return { messages: [...this.messages], optedOut: [...this.optedOut], optedInAt: [...this.optedInAt] };
  }

  public restore(saved: { messages: SentSms[]; optedOut: string[]; optedInAt: [string, number][] }): void {
    this.messages.push(...saved.messages);
    for (const number of saved.optedOut) this.optedOut.add(number);
    for (const [number, at] of saved.optedInAt) this.optedInAt.set(number, at);
  }

  /** Answers the next Publish calls with these faults, in order. */
  public failNext(...faults: SnsFault[]): void {
    this.faults.push(...faults);
  }

  public async start(port?: number): Promise<string> {
    const chosen = port ?? (await freePort());
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const { status, xml } = this.handle(new URLSearchParams(body));
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(xml);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(chosen, '127.0.0.1', resolve));
    this.endpoint = `http://127.0.0.1:${chosen}`;
    return this.endpoint;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(params: URLSearchParams): { status: number; xml: string } {
    const action = params.get('Action');
    const requestId = randomUUID();
    if (action === 'CheckIfPhoneNumberIsOptedOut') {
      const listed = this.optedOut.has(params.get('phoneNumber') ?? '');
      return this.ok('CheckIfPhoneNumberIsOptedOut', `<isOptedOut>${listed}</isOptedOut>`, requestId);
    }
    if (action === 'OptInPhoneNumber') {
      const number = params.get('phoneNumber') ?? '';
      const last = this.optedInAt.get(number);
      const now = this.clock.now().getTime();
      // SNS opts a number in at most once every 30 days.
      if (last !== undefined && now - last < 30 * 86_400_000) return this.error(429, 'Throttled', 'Throttled request.', requestId);
      this.optedOut.delete(number);
      this.optedInAt.set(number, now);
      return this.ok('OptInPhoneNumber', '', requestId);
    }
    if (action !== 'Publish')
      return this.error(400, 'InvalidAction', `action ${action ?? '(none)'} is not supported by the sandbox`, requestId);
    const fault = this.faults.shift();
    if (fault) return this.error(fault.status, fault.code, 'injected fault', requestId);
    const to = params.get('PhoneNumber');
    const message = params.get('Message');
    if (!to || !/^\+[1-9]\d{7,14}$/.test(to)) return this.error(400, 'InvalidParameter', 'Invalid parameter: PhoneNumber', requestId);
    if (!message) return this.error(400, 'InvalidParameter', 'Invalid parameter: Message', requestId);
    // SNS accepts the publish and drops it for a number on its opt-out list; nothing reaches the phone.
    if (this.optedOut.has(to)) return this.ok('Publish', `<MessageId>${randomUUID()}</MessageId>`, requestId);
    const attributes = new Map<string, string>();
    for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
      attributes.set(
        params.get(`MessageAttributes.entry.${i}.Name`) ?? '',
        params.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '',
      );
    }
    const id = randomUUID();
    this.messages.push({
      id,
      to,
      from: attributes.get('AWS.MM.SMS.OriginationNumber'),
      body: message,
      sentAt: this.clock.now().toISOString(),
    });
    return this.ok('Publish', `<MessageId>${id}</MessageId>`, requestId);
  }

  private ok(action: string, result: string, requestId: string): { status: number; xml: string } {
    return {
      status: 200,
      xml: `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
    };
  }

  private error(status: number, code: string, message: string, requestId: string): { status: number; xml: string } {
    return {
      status,
      xml: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
}
