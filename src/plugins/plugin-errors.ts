/** Thrown by an event handler when retrying cannot help (e.g. the platform says the order does not exist). */
export class PermanentPluginError extends Error {
  override name = 'PermanentPluginError';
}

/** Thrown when a retry can help; `retryAfterMs` honours a platform's Retry-After. */
export class RetryablePluginError extends Error {
  override name = 'RetryablePluginError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
