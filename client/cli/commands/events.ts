import { Command } from 'commander';
import type { PublicSubscription } from '../../../events/subscriptions.js';
import * as events from '../../events.js';
import type { CliContext } from '../context.js';
import { action, type FlagMap, type Printable } from '../output.js';

const FLAGS: FlagMap = {
  url: '--url',
  eventTypes: '--types',
  'eventTypes[0]': '--types',
  companyIds: '--companies',
  subscriptionId: '--id',
};

/**
 * `payroll events …`: the partner's subscriptions to outbound events, and the deliveries that need a
 * look. The same functions as the HTTP API (client/events.ts), on the store the config chooses.
 */
export function eventsCommand(ctx: CliContext): Command {
  const cmd = new Command('events').description('Outbound event subscriptions and deliveries');
  // Subscriptions need only their store; sending and deliveries need Temporal too.
  const store = async (): Promise<events.SubscriptionDeps> => {
    const { subscriptionStoreFromConfig } = await import('../../../workers/stores.js');
    return {
      subscriptions: subscriptionStoreFromConfig(ctx.config),
      allowInsecureUrls: ctx.config.events.allowInsecureUrls,
    };
  };
  const deps = async (): Promise<events.EventServiceDeps> => ({ ...(await ctx.deps()), ...(await store()) });
  const list = (s?: string) => s?.split(',').map((x) => x.trim());
  const byId = <D>(
    name: string,
    description: string,
    open: () => Promise<D>,
    run: (d: D, id: string) => Promise<Printable>,
  ) =>
    cmd
      .command(name)
      .description(description)
      .requiredOption('--id <subscriptionId>', 'subscription id (sub_…)')
      .action(action<{ id: string }>(ctx, FLAGS, async (o) => run(await open(), o.id)));

  cmd
    .command('subscribe')
    .description('Subscribe an endpoint; prints the signing secret (shown only now)')
    .requiredOption('--url <url>', 'https URL (http only on loopback)')
    .option('--types <list>', 'comma-separated event types, or * (default *)')
    .option('--companies <list>', 'comma-separated company ids (default: every company)')
    .option('--description <text>', 'what the endpoint is')
    .action(
      action<{ url: string; types?: string; companies?: string; description?: string }>(
        ctx,
        FLAGS,
        async (o) => {
          const sub = await events.createSubscription(await store(), {
            url: o.url,
            eventTypes: list(o.types),
            companyIds: list(o.companies),
            description: o.description,
          });
          return {
            value: sub,
            human: [...describe(sub), `secret: ${sub.secret}  (store it now: it is not shown again)`],
          };
        },
      ),
    );

  cmd
    .command('list')
    .description('Subscriptions (no secrets)')
    .action(
      action<object>(ctx, FLAGS, async () => {
        const subs = await events.listSubscriptions(await store());
        return { value: subs, human: subs.length ? subs.flatMap(describe) : ['no subscriptions'] };
      }),
    );

  byId('delete', 'Unsubscribe', store, async (d, id) => {
    await events.deleteSubscription(d, { subscriptionId: id });
    return { value: { deleted: true }, human: [`deleted ${id}`] };
  });
  byId(
    'rotate-secret',
    'A new signing secret; the previous one keeps signing for 24 h',
    store,
    async (d, id) => {
      const sub = await events.rotateSubscriptionSecret(d, { subscriptionId: id });
      return {
        value: sub,
        human: [`secret: ${sub.secret}`, `the previous secret signs too until ${sub.previousExpiresAt}`],
      };
    },
  );
  byId('test', 'Send a test.ping through the delivery path and wait up to 10 s', deps, async (d, id) => {
    const r = await events.sendTestEvent(d, { subscriptionId: id });
    const why = r.delivery.current?.lastError ? ` (last error: ${r.delivery.current.lastError})` : '';
    return {
      value: r,
      human: [r.delivered ? `delivered ${r.eventId}` : `not delivered yet${why}; retrying`],
    };
  });
  byId(
    'replay',
    'Send again, with their ids, the events this subscription gave up on',
    deps,
    async (d, id) => {
      const r = await events.replayGivenUp(d, { subscriptionId: id });
      return { value: r, human: [`${r.replayed} events queued again`] };
    },
  );

  cmd
    .command('deliveries')
    .description('Deliveries retrying a failing subscriber, and those that gave events up')
    .option('--id <subscriptionId>', 'only this subscription')
    .action(
      action<{ id?: string }>(ctx, FLAGS, async (o) => {
        const reports = await events.listTroubledDeliveries(
          await deps(),
          o.id ? { subscriptionId: o.id } : {},
        );
        const human = reports.map(({ workflowId, status, state }) =>
          status === 'running'
            ? `${workflowId}: failing, event #${state.current?.sequence} attempt ${state.current?.attempts}: ${state.current?.lastError}`
            : `${workflowId}: gave up ${state.givenUp.length} events (payroll events replay --id ${state.subscriptionId})`,
        );
        return { value: reports, human: human.length ? human : ['every delivery is on time'] };
      }),
    );
  return cmd;
}

function describe(sub: PublicSubscription): string[] {
  const companies = sub.companyIds ? sub.companyIds.join(',') : 'every company';
  return [`${sub.id}  ${sub.url}  types ${sub.eventTypes.join(',')}  ${companies}`];
}
