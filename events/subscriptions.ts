/**
 * Who receives which outbound events: subscriptions, kept in a store the HTTP API writes and the
 * worker's delivery activities read. The embedded default keeps them in a file in DATA_DIR (written
 * atomically, readable by its owner only), the cluster in PostgreSQL. Either way the signing secrets
 * are sealed with PAYLOAD_ENCRYPTION_KEY when one is configured (events/sealed-secrets.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { SealKey } from '../gusto/seal.js';
import type { EventType } from './catalogue.js';
import { openSecrets, sealSecrets, type StoredSubscription } from './sealed-secrets.js';
import { newSigningSecret } from './signing.js';

/** After a rotation the previous secret keeps signing this long, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export interface Subscription {
  id: string;
  url: string;
  /** Event types sent; `*` for every type. */
  eventTypes: Array<EventType | '*'>;
  /** Companies whose events are sent; absent for every company. */
  companyIds?: string[];
  description?: string;
  /** The current signing secret, and during a rotation the previous one until `previousExpiresAt`. */
  secret: string;
  previousSecret?: string;
  previousExpiresAt?: string;
  createdAt: string;
}

/** A subscription as shown to people: the secret only where a caller must learn it (create, rotate). */
export type PublicSubscription = Omit<Subscription, 'secret' | 'previousSecret'>;

export interface NewSubscription {
  url: string;
  eventTypes: Array<EventType | '*'>;
  companyIds?: string[];
  description?: string;
}

export class DuplicateSubscriptionError extends Error {
  override readonly name = 'DuplicateSubscriptionError';
}

export interface SubscriptionStore {
  list(): Promise<Subscription[]>;
  get(id: string): Promise<Subscription | undefined>;
  /** Throws DuplicateSubscriptionError when the URL is subscribed already. */
  create(input: NewSubscription): Promise<Subscription>;
  delete(id: string): Promise<boolean>;
  /** A new current secret; the old one keeps signing for ROTATION_OVERLAP_MS. */
  rotateSecret(id: string, now?: Date): Promise<Subscription | undefined>;
}

/** Does `sub` want this event? */
export function wants(sub: Subscription, type: EventType, companyId: string): boolean {
  const typeOk = sub.eventTypes.includes('*') || sub.eventTypes.includes(type);
  return typeOk && (!sub.companyIds || sub.companyIds.includes(companyId));
}

/** The secrets that sign a delivery now: the current one, and the previous one while it overlaps. */
export function signingSecrets(sub: Subscription, now = new Date()): string[] {
  const previousValid = sub.previousSecret && sub.previousExpiresAt && new Date(sub.previousExpiresAt) > now;
  return previousValid ? [sub.secret, sub.previousSecret!] : [sub.secret];
}

export function publicView({ secret: _s, previousSecret: _p, ...rest }: Subscription): PublicSubscription {
  return rest;
}

export function newSubscription(input: NewSubscription, now = new Date()): Subscription {
  return { id: `sub_${randomUUID()}`, ...input, secret: newSigningSecret(), createdAt: now.toISOString() };
}

export function rotated(sub: Subscription, now = new Date()): Subscription {
  return {
    ...sub,
    secret: newSigningSecret(),
    previousSecret: sub.secret,
    previousExpiresAt: new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString(),
  };
}

/**
 * A store over a whole list read and written at once: enough for the handful of subscriptions a
 * partner keeps. Each change is one read-modify-write (`transact`), made atomic by the back end.
 * Back ends hold the stored form; this class opens and seals the secrets on the way.
 */
export abstract class WholeListStore implements SubscriptionStore {
  constructor(private readonly keys: readonly SealKey[] = []) {}

  /** The stored list, as the back end holds it. */
  protected abstract load(): Promise<StoredSubscription[]>;
  protected abstract transactStored<T>(
    fn: (stored: StoredSubscription[]) => { stored: StoredSubscription[]; result: T },
  ): Promise<T>;

  async list(): Promise<Subscription[]> {
    return (await this.load()).map((s) => openSecrets(this.keys, s));
  }

  async get(id: string): Promise<Subscription | undefined> {
    return (await this.list()).find((s) => s.id === id);
  }

  create(input: NewSubscription): Promise<Subscription> {
    return this.transact((subs) => {
      if (subs.some((s) => s.url === input.url)) {
        throw new DuplicateSubscriptionError(`url: ${input.url} is subscribed already`);
      }
      const sub = newSubscription(input);
      return { subs: [...subs, sub], result: sub };
    });
  }

  delete(id: string): Promise<boolean> {
    return this.transact((subs) => {
      const kept = subs.filter((s) => s.id !== id);
      return { subs: kept, result: kept.length !== subs.length };
    });
  }

  rotateSecret(id: string, now = new Date()): Promise<Subscription | undefined> {
    return this.transact((subs) => {
      const sub = subs.find((s) => s.id === id);
      if (!sub) return { subs, result: undefined };
      const next = rotated(sub, now);
      return { subs: subs.map((s) => (s.id === id ? next : s)), result: next };
    });
  }

  /** Every write seals again, so secrets stored in clear before a key was set get sealed too. */
  private transact<T>(fn: (subs: Subscription[]) => { subs: Subscription[]; result: T }): Promise<T> {
    return this.transactStored((stored) => {
      const { subs, result } = fn(stored.map((s) => openSecrets(this.keys, s)));
      return { stored: subs.map((s) => sealSecrets(this.keys, s)), result };
    });
  }
}

/** One process writes (the API of `npm start`): changes queue up in memory, then `save`. */
abstract class LocalListStore extends WholeListStore {
  private queue: Promise<unknown> = Promise.resolve();

  protected abstract save(stored: StoredSubscription[]): Promise<void>;

  protected transactStored<T>(
    fn: (stored: StoredSubscription[]) => { stored: StoredSubscription[]; result: T },
  ): Promise<T> {
    const next = this.queue.then(async () => {
      const { stored, result } = fn(await this.load());
      await this.save(stored);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The embedded default's store: one JSON file, re-read on every call (the API writes, workers read). */
export class FileSubscriptionStore extends LocalListStore {
  constructor(
    readonly path: string,
    keys: readonly SealKey[] = [],
  ) {
    super(keys);
  }

  static inDataDir(dataDir: string, keys: readonly SealKey[] = []): FileSubscriptionStore {
    return new FileSubscriptionStore(join(dataDir, 'event-subscriptions.json'), keys);
  }

  protected async load(): Promise<StoredSubscription[]> {
    try {
      return (JSON.parse(await readFile(this.path, 'utf8')) as { subscriptions: StoredSubscription[] })
        .subscriptions;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Replaced atomically, readable by its owner only: it holds the signing secrets. */
  protected async save(subs: StoredSubscription[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ subscriptions: subs }, null, 2), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

/** In memory: for processes that run no events (a lone test worker) and for tests. */
export class MemorySubscriptionStore extends LocalListStore {
  private subs: StoredSubscription[] = [];

  protected async load(): Promise<StoredSubscription[]> {
    return [...this.subs];
  }

  protected async save(subs: StoredSubscription[]): Promise<void> {
    this.subs = subs;
  }
}
