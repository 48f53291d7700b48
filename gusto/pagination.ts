/**
 * Page-number pagination as Gusto's list endpoints do it (`page`, `per` ≤ 100). Gusto reports the
 * page count in `X-Total-Pages` on most endpoints; where it does not, a short page ends the walk.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const MAX_PAGE_SIZE = 100;
/** A runaway guard: 10 000 pages of 100 is far beyond any company's payroll history. */
const MAX_PAGES = 10_000;

export interface Page<T> {
  items: T[];
  headers: IncomingHttpHeaders;
}

function totalPages(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['x-total-pages'];
  const value = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

/** Yields each non-empty page in order; one request per page, each through the rate limiter. */
export async function* iteratePages<T>(
  fetchPage: (page: number, per: number) => Promise<Page<T>>,
  per = MAX_PAGE_SIZE,
): AsyncGenerator<T[], void, undefined> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { items, headers } = await fetchPage(page, per);
    if (items.length) yield items;
    const total = totalPages(headers);
    const last = total !== undefined ? page >= total : items.length < per;
    if (last || items.length === 0) return;
  }
}

export async function collectPages<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}
