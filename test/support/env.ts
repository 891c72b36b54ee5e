// Integration suites log little unless asked; set LOG_LEVEL=debug to see the app's logs.
process.env.LOG_LEVEL ??= 'silent';
