/**
 * One supported Node version, agreed everywhere: package.json `engines`, the README's requirements,
 * the Dockerfile and CI, and every installed dependency (the lock file's `engines`). A dependency that
 * needs a newer Node than we support fails here instead of as an `npm ci` warning nobody reads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import semver from 'semver';
import { REPO_ROOT } from '../harness/shared.js';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const oldest = semver.minVersion(pkg.engines.node)!;

describe('supported Node version', () => {
  it('is declared once in engines and repeated by the README, .npmrc and CI; the image runs a supported one', () => {
    expect(oldest.version).toBe('20.19.0');
    expect(read('README.md')).toContain(`Node.js ${oldest.major}.${oldest.minor} or newer`);
    // The image runs a maintained LTS line that engines allows (compose.test.ts pins which one).
    const bases = [...read('Dockerfile').matchAll(/^FROM node:(\d+)/gm)].map((m) => `${m[1]}.0.0`);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(semver.satisfies(base, pkg.engines.node)).toBe(true);
    // npm refuses (not merely warns about) a dependency whose engines exclude the running Node.
    expect(read('.npmrc')).toMatch(/^engine-strict=true$/m);
    expect(read('.ci/run')).toContain('engines.node');
  });

  it('is supported by every locked dependency', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { engines?: { node?: string } | string[]; dev?: boolean }>;
    };
    const excluding = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .map(([path, p]) => [path.replace(/^.*node_modules\//, ''), p.engines] as const)
      .filter(([, e]) => e && !Array.isArray(e) && e.node && !semver.satisfies(oldest, e.node))
      .map(([name, e]) => `${name} needs node ${(e as { node: string }).node}`);
    expect(excluding).toEqual([]);
  });
});
