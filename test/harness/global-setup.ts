import { tsImport } from 'tsx/esm/api';

/**
 * jest imports this file with Node's own loader, which cannot resolve `./x.js` to `./x.ts` the way
 * the tests' imports do; tsx's scoped import does, so the real work lives in setup.ts.
 */
export default async function globalSetup(): Promise<void> {
  const { setup } = (await tsImport('./setup.ts', import.meta.url)) as { setup: () => Promise<void> };
  await setup();
}
