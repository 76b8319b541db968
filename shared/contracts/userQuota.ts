/**
 * UserQuotaWorkflow as other processes address it: the entity that kept one user's quota in runs
 * from before the state store, and the probe it sends to the requests holding a slot.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { QuotaAsk, QuotaDecision, QuotaState } from '../quotaWindow.js';

export const USER_QUOTA_WORKFLOW = 'UserQuotaWorkflow';

export const acquireQuotaUpdate = defineUpdate<QuotaDecision, [QuotaAsk]>('acquire');
export const releaseQuotaUpdate = defineUpdate<void, [{ holder: string }]>('release');
export const quotaStateQuery = defineQuery<QuotaState>('state');
/** Sent to a holder to learn whether it still runs; MediaRequestWorkflow ignores it. */
export const quotaProbeSignal = defineSignal('quotaProbe');
