import type { BenchServer } from './server';

/** Waits for /health/ready = 200 (a Lightning backend can issue invoices); throws with the last answer. */
export async function waitUntilReady(server: BenchServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await server.api.send('GET', '/health/ready', undefined, 5000);
      if (res.status === 200) return;
      if (res.status === 404) return; // no health module: go ahead, errors will show in the load
      last = `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not ready after ${timeoutMs} ms: ${last}`);
}
