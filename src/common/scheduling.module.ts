import { DynamicModule, Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ScheduledJobs } from './scheduled-job';

/**
 * Nest's scheduler, once for the app, and the named-job helper every periodic loop goes through.
 * Import it first in the app. ScheduleModule clears every registered interval in its
 * beforeApplicationShutdown, and Nest orders those hooks by module registration: listed later, it
 * ran before PluginEvents' drain and stopped the instance heartbeat while a plugin handler was
 * still running (instance-reaper-outage.test.ts fails then). Owners still stop their own jobs in
 * their own hooks; the blanket clear only finds what is left.
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
