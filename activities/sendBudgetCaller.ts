import { Context } from '@temporalio/activity';

const callsOf = new WeakMap<Context, number>();

/**
 * Names the send budget's caller (activities/adapters/sendBudget.ts): the activity, and which of
 * its Bot API sends this is. The same call of the next attempt gets the same name, so a retry
 * told to come back for a booked slot finds it. Outside an activity: undefined.
 */
export function activitySendKey(): string | undefined {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return undefined;
  }
  const call = (callsOf.get(context) ?? 0) + 1;
  callsOf.set(context, call);
  const { workflowExecution, activityId } = context.info;
  return `${workflowExecution?.workflowId}/${workflowExecution?.runId}/${activityId}#${call}`;
}
