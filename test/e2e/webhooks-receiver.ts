import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What a path answers to its n-th request (1-based): a status, 'hang' to never answer, or a status after a delay. */
export type Answer = number | 'hang' | { status: number; delayMs: number };
export type Behaviour = (n: number, req: ReceivedRequest) => Answer;

export interface ReceivedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  raw: Buffer;
  body: Record<string, any>;
  /** Both signatures recomputed here from the raw bytes and compared. */
  v1Valid: boolean;
  btcpayValid: boolean;
  /** The status answered ('hang' for none), set once the answer is sent. */
  answered: number | 'hang' | 'pending';
  at: number;
}

/**
 * A real webhook receiver on a free loopback port. It verifies signatures on its own (not with
 * the server's helper): Standard Webhooks v1 over `id.timestamp.body` keyed with the decoded
 * secret, and BTCPay-Sig over the raw body keyed with the secret string.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly secrets = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  /** Requests answered 'hang', until released or their sender goes away. */
  private readonly held = new Map<ServerResponse, ReceivedRequest>();
  /** Retry-After header value sent with non-2xx answers, per path. */
  readonly retryAfter = new Map<string, string>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.onRequest(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Configures a path; `secret` enables signature checks for it. */
  route(path: string, behaviour: Behaviour = () => 200, secret?: string): string {
    this.behaviours.set(path, behaviour);
    if (secret) this.secrets.set(path, secret);
    return `${this.url}${path}`;
  }

  setSecret(path: string, secret: string): void {
    this.secrets.set(path, secret);
  }

  on(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Requests that got a 2xx: what the receiver accepted. */
  accepted(path: string): ReceivedRequest[] {
    return this.on(path).filter((r) => typeof r.answered === 'number' && r.answered >= 200 && r.answered < 300);
  }

  /** Answers the requests left hanging on `path` whose sender is still connected; returns how many. */
  release(path: string, status = 200): number {
    let answered = 0;
    for (const [res, record] of this.held) {
      if (record.path !== path) continue;
      this.held.delete(res);
      if (res.destroyed) continue;
      record.answered = status;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`answer ${status}`);
      answered++;
    }
    return answered;
  }

  get hangingCount(): number {
    return this.hanging.size;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.held.clear();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const raw = Buffer.concat(chunks);
      const n = (this.counts.get(path) ?? 0) + 1;
      this.counts.set(path, n);
      const secret = this.secrets.get(path);
      let body: Record<string, any> = {};
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        /* recorded as is */
      }
      const record: ReceivedRequest = {
        path,
        headers: req.headers,
        raw,
        body,
        v1Valid: secret ? checkV1(secret, raw, req.headers) : false,
        btcpayValid: secret ? checkBtcpay(secret, raw, req.headers['btcpay-sig'] as string | undefined) : false,
        answered: 200,
        at: Date.now(),
      };
      const behaviour = this.behaviours.get(path) ?? (() => 404);
      const answer = behaviour(n, record);
      this.requests.push(record);
      if (answer === 'hang') {
        record.answered = 'hang';
        this.hanging.add(res);
        this.held.set(res, record);
        res.on('close', () => {
          this.hanging.delete(res);
          this.held.delete(res);
        });
        return;
      }
      const send = (status: number) => {
        // Counted as accepted only if the sender was still there to get the answer.
        if (res.destroyed) return;
        record.answered = status;
        const retryAfter = status >= 300 ? this.retryAfter.get(path) : undefined;
        res.writeHead(status, { 'content-type': 'text/plain', ...(retryAfter ? { 'retry-after': retryAfter } : {}) }).end(`answer ${status}`);
      };
      if (typeof answer === 'number') return send(answer);
      record.answered = 'pending';
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      setTimeout(() => send(answer.status), answer.delayMs);
    });
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function checkV1(secret: string, raw: Buffer, headers: IncomingMessage['headers']): boolean {
  const id = headers['webhook-id'] as string;
  const ts = headers['webhook-timestamp'] as string;
  const sig = headers['webhook-signature'] as string;
  if (!id || !ts || !sig || !secret.startsWith('whsec_')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${ts}.`), raw]))
    .digest('base64');
  return sig.split(' ').some((s) => s.startsWith('v1,') && safeEqual(Buffer.from(s.slice(3)), Buffer.from(expected)));
}

function checkBtcpay(secret: string, raw: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  const expected = 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
  return safeEqual(Buffer.from(header), Buffer.from(expected));
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} not met within ${timeoutMs} ms`);
}
