/**
 * Short request/answer workflows (the payment request check, the cancel of a closed payment run)
 * hand their answer to the starter through an update instead of their result. Both reach the same
 * caller, but awaiting a result lets a time-skipping test server jump its clock to the next timer
 * anywhere in the namespace, which an update call does not.
 */
import type { UpdateDefinition } from '@temporalio/common';
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  setHandler,
} from '@temporalio/workflow';

/**
 * Runs `body` and answers `update` with what it returns; `onError` turns a failure into an answer or
 * the ApplicationFailure the update fails with. Returns the answer (undefined when it was a failure).
 */
export async function answerThroughUpdate<R>(
  update: UpdateDefinition<R, []>,
  body: () => Promise<R>,
  onError: (err: unknown) => R | ApplicationFailure,
): Promise<R | undefined> {
  const box: { answer?: { result: R } | { failure: ApplicationFailure } } = {};
  let delivered = false;
  setHandler(update, async () => {
    await condition(() => box.answer !== undefined);
    delivered = true;
    const answer = box.answer!;
    if ('failure' in answer) throw answer.failure;
    return answer.result;
  });
  box.answer = await body().then(
    (result) => ({ result }),
    (err: unknown) => {
      const handled = onError(err);
      return handled instanceof ApplicationFailure ? { failure: handled } : { result: handled };
    },
  );
  // The starter asks right after starting; one that went away is not waited for long.
  await condition(() => delivered, '1 minute');
  await condition(allHandlersFinished);
  return 'result' in box.answer ? box.answer.result : undefined;
}

/** A failure that is no answer (e.g. Gusto unreachable after the retries) as the update's failure. */
export function failedAnswer(type: string, what: string, err: unknown): ApplicationFailure {
  const cause = err instanceof ActivityFailure && err.cause ? err.cause : err;
  const message = (cause as { message?: string })?.message ?? String(cause);
  return ApplicationFailure.create({ type, message: `${what}: ${message}`, nonRetryable: true });
}
