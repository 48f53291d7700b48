#!/usr/bin/env node
// The `payroll` CLI. The project runs TypeScript directly (no build step), so register tsx's ESM
// loader first and then load the real entry point.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../client/cli/main.ts', import.meta.url).href);
