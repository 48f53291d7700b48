/**
 * GET /v1/events (system token): the last 30 days of thin events, cursor-paginated by
 * starting_after_uuid with X-Has-Next-Page, filterable by company and event type (with `*`).
 */
import { json, type Ctx, type Reply, type RouteDef } from './context.js';
import { invalidAttribute } from './errors.js';
import type { SandboxEvent } from './model.js';
import { intParam } from './validation.js';

function typeMatcher(pattern: string | null): (type: string) => boolean {
  if (!pattern) return () => true;
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return (type) => regex.test(type);
}

function listEvents(ctx: Ctx): Reply {
  const { query } = ctx;
  const { store } = ctx.sim;
  const resource = query.get('resource_uuid');
  if (resource && !store.companies.has(resource)) {
    throw invalidAttribute('resource_uuid', "Parameter 'resource_uuid' is not the uuid of a company.");
  }
  const limit = intParam(query, 'limit', 1, 100) ?? 25;
  const matches = typeMatcher(query.get('event_type'));
  let events: SandboxEvent[] = store.recentEvents(ctx.now.getTime());
  if (query.get('sort_order') === 'desc') events = events.reverse();
  const after = query.get('starting_after_uuid');
  if (after) {
    // The cursor is a position in the whole log, so it may name an event the filters leave out.
    const index = events.findIndex((e) => e.uuid === after);
    if (index < 0)
      throw invalidAttribute(
        'starting_after_uuid',
        "Parameter 'starting_after_uuid' is not the uuid of an event.",
      );
    events = events.slice(index + 1);
  }
  events = events.filter((e) => (!resource || e.resource_uuid === resource) && matches(e.event_type));
  const page = events.slice(0, limit);
  return json(200, page, { 'X-Has-Next-Page': String(events.length > limit) });
}

export const eventRoutes: RouteDef[] = [
  { method: 'GET', template: '/v1/events', auth: 'system', handler: listEvents },
];
