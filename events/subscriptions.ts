/**
 * Who receives which outbound events: subscriptions, kept in a store the HTTP API writes and the
 * worker's delivery activities read. The embedded default keeps them in a file in DATA_DIR (written
 * atomically, readable by its owner only, since it holds signing secrets).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EventType } from './catalogue.js';
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
 */
export abstract class WholeListStore implements SubscriptionStore {
  abstract list(): Promise<Subscription[]>;
  protected abstract transact<T>(
    fn: (subs: Subscription[]) => { subs: Subscription[]; result: T },
  ): Promise<T>;

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
}

/** One process writes (the API of `npm start`): changes queue up in memory, then `save`. */
abstract class LocalListStore extends WholeListStore {
  private queue: Promise<unknown> = Promise.resolve();

  protected abstract save(subs: Subscription[]): Promise<void>;

  protected transact<T>(fn: (subs: Subscription[]) => { subs: Subscription[]; result: T }): Promise<T> {
    const next = this.queue.then(async () => {
      const { subs, result } = fn(await this.list());
      await this.save(subs);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** The embedded default's store: one JSON file, re-read on every call (the API writes, workers read). */
export class FileSubscriptionStore extends LocalListStore {
  constructor(readonly path: string) {
    super();
  }

  static inDataDir(dataDir: string): FileSubscriptionStore {
    return new FileSubscriptionStore(join(dataDir, 'event-subscriptions.json'));
  }

  async list(): Promise<Subscription[]> {
    try {
      return (JSON.parse(await readFile(this.path, 'utf8')) as { subscriptions: Subscription[] })
        .subscriptions;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  /** Replaced atomically, readable by its owner only: it holds the signing secrets. */
  protected async save(subs: Subscription[]): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ subscriptions: subs }, null, 2), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

/** In memory: for processes that run no events (a lone test worker) and for tests. */
export class MemorySubscriptionStore extends LocalListStore {
  private subs: Subscription[] = [];

  async list(): Promise<Subscription[]> {
    return [...this.subs];
  }

  protected async save(subs: Subscription[]): Promise<void> {
    this.subs = subs;
  }
}
