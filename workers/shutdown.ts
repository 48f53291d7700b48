/**
 * Runs `stop` once on the first SIGINT/SIGTERM. A second signal while stopping forces exit: a person
 * pressing Ctrl-C twice wants out now, and a supervisor's follow-up SIGKILL would come anyway.
 */
export function onShutdownSignal(stop: (signal: NodeJS.Signals) => Promise<void>, log = console.error): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting without waiting`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: shutting down`);
    stop(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
