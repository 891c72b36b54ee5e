import { Injectable } from '@nestjs/common';

/**
 * Set when the process has been told to stop: readiness answers 503 at once so that a load
 * balancer takes this replica out of rotation, while requests already routed here are served
 * until the drain period ends and the app closes.
 */
@Injectable()
export class DrainState {
  private startedAt: Date | null = null;

  get draining(): boolean {
    return this.startedAt !== null;
  }

  get since(): Date | null {
    return this.startedAt;
  }

  start(): void {
    this.startedAt ??= new Date();
  }
}
