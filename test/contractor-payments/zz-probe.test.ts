import { it } from '@jest/globals';
import { gustoClientFor, runWorker, startSandbox, timeSkippingEnv, uniqueTaskQueue } from '../harness/index.js';
import { fixtures, registerSearchAttributes, todayAt, weekdayAfter } from './helpers.js';
import { startContractorPayment } from '../../client/contractor-payments.js';
it('probe', async () => {
  const env = await timeSkippingEnv();
  await registerSearchAttributes(env);
  const sandbox = await startSandbox({ env });
  const gusto = await gustoClientFor(sandbox);
  const fx = await fixtures(sandbox, gusto);
  const taskQueue = uniqueTaskQueue('probe');
  try {
    await runWorker(env, { taskQueue, sandbox }, async () => {
      const deps = { temporal: env.client, taskQueue };
      const s = await startContractorPayment(deps, { companyId: fx.companyId, contractorId: fx.hourlyDd.uuid, date: weekdayAfter(todayAt(await env.currentTimeMs()), 10), paymentMethod: 'Direct Deposit', hours: '1' });
      const h = env.client.workflow.getHandle(s.workflowId);
      try { console.log(JSON.stringify(await h.result())); } catch (e) { console.log('ERR', (e as Error).message); }
      const hist = await h.fetchHistory();
      console.log(hist.events!.map((e) => `${new Date(Number(e.eventTime!.seconds) * 1000).toISOString()} ${e.eventType} ${e.activityTaskScheduledEventAttributes?.activityType?.name ?? ''}${e.timerStartedEventAttributes ? ' timer ' + e.timerStartedEventAttributes.startToFireTimeout?.seconds : ''}`).join('\n'));
    });
  } finally { await sandbox.close(); await env.teardown(); }
}, 120000);
