import { Agent, request } from 'node:http';

export interface HttpResponse<T = unknown> {
  status: number;
  body: T;
}

/** A keep-alive JSON client for loopback benchmarks (one socket per concurrent request). */
export class JsonClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    maxSockets = 64,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  send<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<HttpResponse<T>> {
    const url = new URL(path, this.baseUrl);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          timeout: timeoutMs,
          headers: {
            ...this.headers,
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              /* not JSON: keep the text */
            }
            resolve({ status: res.statusCode ?? 0, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Like send, but throws unless the status is 2xx. */
  async ok<T = unknown>(method: string, path: string, body?: unknown, timeoutMs?: number): Promise<T> {
    const res = await this.send<T>(method, path, body, timeoutMs);
    if (res.status < 200 || res.status >= 300) {
      const problem = res.body as { code?: string; detail?: string } | undefined;
      const why = problem && typeof problem === 'object' && problem.code ? `${problem.code}: ${problem.detail ?? ''}` : JSON.stringify(res.body).slice(0, 300);
      throw new Error(`${method} ${path} → HTTP ${res.status} ${why}`);
    }
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}
