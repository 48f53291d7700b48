/**
 * Seeded pseudo-random numbers for the sandbox. Everything the seed produces (ids, tokens, names,
 * amounts) comes from one of these, so a given seed always yields the same customer base.
 * sfc32: small, fast, and good enough for test data (not for secrets that guard real money).
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const word = (n: number): string =>
  HEX[(n >>> 24) & 0xff]! + HEX[(n >>> 16) & 0xff]! + HEX[(n >>> 8) & 0xff]! + HEX[n & 0xff]!;

/** Where a generator is in its sequence (its four state words and the buffered word `hex` reads from). */
export type PrngState = [a: number, b: number, c: number, d: number, word: number];

export class Prng {
  private word = 0;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm-up rounds decorrelate nearby seeds.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** A restored sandbox continues the sequence from here instead of handing out its ids again. */
  getState(): PrngState {
    return [this.a, this.b, this.c, this.d, this.word];
  }

  setState(state: PrngState): void {
    [this.a, this.b, this.c, this.d, this.word] = state;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  }

  /** Lowercase hex of `bytes` random bytes. */
  hex(bytes: number): string {
    let out = '';
    for (let i = 0; i < bytes; i++) {
      if (i % 4 === 0) this.word = this.nextUint32();
      out += HEX[(this.word >>> ((i % 4) * 8)) & 0xff];
    }
    return out;
  }

  /** RFC 4122 version-4 layout, so ids look like Gusto's. Seeding makes tens of thousands: keep it lean. */
  uuid(): string {
    const a = this.nextUint32();
    const b = this.nextUint32();
    const c = this.nextUint32();
    const d = this.nextUint32();
    const version = (b & 0xffff0fff) | 0x00004000;
    const variant = (c & 0x3fffffff) | 0x80000000;
    return `${word(a)}-${word(b).slice(0, 4)}-${word(version).slice(4)}-${word(variant).slice(0, 4)}-${word(variant).slice(4)}${word(d)}`;
  }

  /** URL-safe opaque token, the shape of Gusto's OAuth tokens (43 characters). */
  token(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let out = '';
    for (let i = 0; i < 43; i++) out += alphabet[this.nextUint32() & 63];
    return out;
  }
}

/** A seed for callers that did not choose one: fresh per sandbox so parallel sandboxes never share ids. */
export function freshSeed(): number {
  return (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
}
