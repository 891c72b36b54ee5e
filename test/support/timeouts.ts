// Generous: suites boot apps, browsers and lnd processes on a busy 2-core machine. Not a speed assertion.
jest.setTimeout(120_000);
