import { Module } from '@nestjs/common';
import { HomeController } from './home.controller';

/** The landing page at `/`. */
@Module({ controllers: [HomeController] })
export class HomeModule {}
