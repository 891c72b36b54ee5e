// Preloaded into the server only when profiling (BENCH_SERVER_CPU_PROF): --cpu-prof writes its
// profile on a normal exit, but Nest's shutdown hook re-raises SIGTERM, which would lose it.
process.prependListener('SIGTERM', () => process.exit(0));
