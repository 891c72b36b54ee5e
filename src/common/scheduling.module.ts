import { Global, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ScheduledJobs } from './scheduled-job';

/** Nest's scheduler, once for the app, and the named-job helper every periodic loop goes through. */
@Global()
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [ScheduledJobs],
  exports: [ScheduledJobs],
})
export class SchedulingModule {}
