/**
 * YtDlpUpdateWorkflow, run by the `ytdlp-update` Schedule (src/temporal/ytDlpSchedule.ts): the
 * newest yt-dlp on the package index is installed into a new venv beside the one in use, tried
 * with canary downloads, and switched to only if every canary passed; otherwise the old one stays
 * in use. The admin chats hear of each switch and each refused candidate.
 *
 * Several download hosts: each has its own venvs and pointer (under its DATA_DIR). A run updates
 * the one host that takes its first step from the shared `downloads` queue; the canary and the
 * switch then run on that host's own queue, so they see the venv it installed. The other hosts
 * keep their version until a run lands on them (each run goes to whichever host polls first);
 * hosts that share one DATA_DIR share one pointer, and switch together.
 */
import { log, proxyActivities } from '@temporalio/workflow';
import type { TelegramActivities, YtDlpUpdateActivities } from '../activities/index.js';
import { ytDlpRefusedText, ytDlpSwitchedText } from '../shared/botTexts.js';
import type { YtDlpUpdateInput, YtDlpUpdateResult } from '../shared/contracts/ytDlpUpdate.js';
import { hostOfQueue } from '../shared/taskQueues.js';
import { telegramPolicy, ytDlpHostPolicy, ytDlpPreparePolicy } from './policies.js';

export async function YtDlpUpdateWorkflow(input: YtDlpUpdateInput): Promise<YtDlpUpdateResult> {
  const prepare = proxyActivities<YtDlpUpdateActivities>({ ...ytDlpPreparePolicy(), summary: 'yt-dlp candidate' });
  const found = await prepare.prepareYtDlpCandidate();
  const { hostQueue } = found;
  if (found.kind !== 'candidate') {
    log.info('yt-dlp: nothing to try', { inUse: found.inUse, newest: found.newest, kind: found.kind });
    return { outcome: found.kind, inUse: found.inUse, newest: found.newest, hostQueue };
  }
  const onHost = proxyActivities<YtDlpUpdateActivities>({
    ...ytDlpHostPolicy(hostQueue),
    summary: `yt-dlp ${found.newest}`,
  });
  const canary = await onHost.canaryYtDlp(found.release);
  let result: YtDlpUpdateResult;
  let text: string;
  if (canary.ok) {
    const switched = await onHost.switchYtDlp(found.release);
    result = { outcome: 'switched', from: switched.from, to: switched.to, hostQueue, checks: canary.checks };
    text = ytDlpSwitchedText(switched.from, switched.to, hostOfQueue(hostQueue));
  } else {
    result = { outcome: 'refused', inUse: found.inUse, candidate: found.newest, hostQueue, checks: canary.checks };
    text = ytDlpRefusedText(
      found.inUse,
      found.newest,
      hostOfQueue(hostQueue),
      canary.checks.filter((check) => !check.ok),
    );
  }
  const telegram = proxyActivities<TelegramActivities>({ ...telegramPolicy(), summary: 'admin chats' });
  for (const chatId of input.adminChatIds) await telegram.sendText({ chatId, text });
  return result;
}
