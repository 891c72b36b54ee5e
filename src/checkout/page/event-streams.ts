import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import type { Response } from 'express';

/** Comments keep idle proxies and load balancers from cutting a quiet stream. */
export const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
export const RECONNECT_MS = 3_000;

/** One Server-Sent Events response. */
export class EventStream {
  private readonly heartbeat: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];
  private open = true;

  constructor(
    private readonly res: Response,
    heartbeatMs: number,
  ) {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    // no-transform: a compressing proxy would otherwise buffer the stream.
    res.setHeader('Cache-Control', 'no-store, no-transform');
    res.setHeader('Connection', 'keep-alive');
    // nginx buffers proxied responses unless told not to.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.write(`retry: ${RECONNECT_MS}\n\n`);
    this.heartbeat = setInterval(() => this.write(': keep-alive\n\n'), heartbeatMs);
    // The client went away (tab closed, network lost): release everything it held. It may
    // have gone while the checkout was being read, before this listener existed.
    res.on('close', () => this.dispose());
    if (res.destroyed || !res.socket || res.socket.destroyed) this.dispose();
  }

  get isOpen(): boolean {
    return this.open;
  }

  send(event: string, data: unknown): void {
    // JSON.stringify never emits a raw newline, so the payload fits one `data:` line.
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  onClose(handler: () => void): void {
    if (this.open) this.closeHandlers.push(handler);
    else handler();
  }

  /** Ends the response from the server side. */
  end(): void {
    if (!this.open) return;
    this.res.end();
    this.dispose();
  }

  private write(chunk: string): void {
    if (this.open && !this.res.writableEnded) this.res.write(chunk);
  }

  private dispose(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.heartbeat);
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}

/**
 * Opens event streams and ends those still open when the app shuts down: an open stream would
 * otherwise keep the HTTP server from closing. Browsers reconnect to another replica on their own.
 */
@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly streams = new Set<EventStream>();
  heartbeatMs = HEARTBEAT_MS;

  open(res: Response): EventStream {
    const stream = new EventStream(res, this.heartbeatMs);
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
    return stream;
  }

  get size(): number {
    return this.streams.size;
  }

  beforeApplicationShutdown(): void {
    for (const stream of [...this.streams]) stream.end();
  }
}
