import { DynamicModule, Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ScheduledJobs } from './scheduled-job';

/**
 * Nest's scheduler, once for the app, and the named-job helper every periodic loop goes through.
 * Import it first in the app: ScheduleModule clears every registered interval in its
 * beforeApplicationShutdown, and Nest runs global modules' shutdown hooks in reverse order of
 * registration, so listed first it comes after PluginEvents' drain; the instance heartbeat must
 * beat until the plugin handlers have finished (instance-reaper-outage.test.ts guards it).
 * Owners still stop their own jobs in their own hooks.
 */
@Global()
@Module({})
export class SchedulingModule {
  static forRoot(): DynamicModule {
    return {
      module: SchedulingModule,
      imports: [ScheduleModule.forRoot()],
      providers: [ScheduledJobs],
      exports: [ScheduledJobs],
    };
  }
}
