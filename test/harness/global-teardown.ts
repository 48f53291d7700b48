/** Stops the run's dev server (the watchdog in scripts/dev-server.ts covers a jest that was killed). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__payrollDevServer?.stop();
  globalThis.__payrollDevServer = undefined;
}
