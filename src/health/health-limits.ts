/** Each dependency probe gives up after this long, so a hung dependency cannot hang a probe. */
export const CHECK_TIMEOUT_MS = 1500;
/** Probe results are reused this long: load balancers poll often, dependencies stay unbothered. */
export const CHECK_CACHE_MS = 1000;
