/**
 * The yt-dlp update end to end: the real dev server, the real workers (which create the
 * `ytdlp-update` Schedule at start), pip installing from a local wheel folder that stands in for
 * the index, the real engine running the canaries, the Bot API emulator as the admin chat.
 * A stand-in yt-dlp that raises is refused; the real older release is switched to, and the next
 * download runs on it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { execa } from 'execa';
import { readPointer, versionOf, ytDlpRoot } from '../../activities/adapters/ytDlpVenvs.js';
import { YTDLP_UPDATE_SCHEDULE_ID, type YtDlpUpdateResult } from '../../shared/contracts/ytDlpUpdate.js';
import { resolveTools } from '../../src/tools.js';
import { ensureYtDlpUpdateSchedule } from '../../src/temporal/ytDlpSchedule.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { BAD_YTDLP, createYtDlpWheels, OLDER_YTDLP, switchableIndex } from '../support/ytDlpWheels.js';
import { waitFor } from './support/operations.js';

const ADMIN = 777_001;
const tools = resolveTools();
let stack: TestStack;
let index: Awaited<ReturnType<typeof switchableIndex>>;

beforeAll(async () => {
  index = await switchableIndex(await createYtDlpWheels());
  stack = await startTestStack({ YTDLP_UPDATE_INDEX: index.dir, ADMIN_CHAT_IDS: String(ADMIN) });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  if (index) await rm(index.dir, { recursive: true, force: true });
});

async function temporal(...args: string[]): Promise<string> {
  const { stdout } = await execa(tools.temporal, [...args, '--address', stack.env.address, '--namespace', 'default']);
  return stdout;
}

/** Triggers the schedule once and returns the run it started, once it has ended. */
async function triggerRun(before: number): Promise<{ workflowId: string; result: YtDlpUpdateResult }> {
  const handle = stack.client.schedule.getHandle(YTDLP_UPDATE_SCHEDULE_ID);
  await handle.trigger();
  let workflowId: string | undefined;
  await waitFor(
    async () => {
      const actions = (await handle.describe()).info.recentActions;
      if (actions.length > before) workflowId = actions.at(-1)!.action.workflow.workflowId;
      return workflowId !== undefined;
    },
    30_000,
    () => 'the schedule started no run',
  );
  const result = (await stack.client.workflow.getHandle(workflowId!).result()) as YtDlpUpdateResult;
  return { workflowId: workflowId!, result };
}

function adminMessages(): string[] {
  return stack.emulator
    .callsTo('sendMessage')
    .filter((call) => Number(call.params.chat_id) === ADMIN)
    .map((call) => String(call.params.text));
}

/** Command lines of this stack's processes that run `python`. */
function processesOf(python: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes(python) && argv.includes(stack.dataDir)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('the ytdlp-update schedule', () => {
  it('exists once the workers started, and `temporal schedule list` shows it', async () => {
    const listed = await temporal('schedule', 'list');
    expect(listed).toContain(YTDLP_UPDATE_SCHEDULE_ID);
    const description = await stack.client.schedule.getHandle(YTDLP_UPDATE_SCHEDULE_ID).describe();
    expect(description.spec.intervals).toMatchObject([{ every: 24 * 60 * 60 * 1000 }]);
    expect(description.action).toMatchObject({ workflowType: 'YtDlpUpdateWorkflow', taskQueue: 'telegram' });
    expect(description.state.paused).toBe(false);
  });

  it('refuses a candidate whose canary fails, tells the admin why, and keeps the version in use', async () => {
    const baseVersion = await versionOf(tools.python);
    await index.use('bad');
    const { workflowId, result } = await triggerRun(0);
    expect(workflowId.startsWith('ytdlp-update')).toBe(true);
    expect(result).toMatchObject({ outcome: 'refused', inUse: baseVersion, candidate: BAD_YTDLP });
    expect(result.outcome === 'refused' && result.checks.find((check) => check.name === 'loopback')).toMatchObject({
      ok: false,
      detail: expect.stringContaining('extract_info raises'),
    });
    expect(readPointer(ytDlpRoot(stack.dataDir))).toBeUndefined();
    const messages = adminMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`yt-dlp ${BAD_YTDLP} refused`);
    expect(messages[0]).toContain(`${baseVersion} stays in use`);
  });

  it('switches to a candidate whose canaries pass, tells the admin, and the next download runs on it', async () => {
    const baseVersion = await versionOf(tools.python);
    stack.emulator.reset();
    await index.use('good');
    const { workflowId, result } = await triggerRun(1);
    expect(result).toMatchObject({
      outcome: 'switched',
      from: baseVersion,
      to: OLDER_YTDLP,
      hostQueue: stack.hostQueue,
    });
    const pointer = readPointer(ytDlpRoot(stack.dataDir));
    expect(pointer?.current.version).toBe(OLDER_YTDLP);
    expect(adminMessages()).toEqual([expect.stringContaining(`yt-dlp updated: ${baseVersion} → ${OLDER_YTDLP}`)]);

    // A user's link after the switch: downloaded by an engine running the new venv's Python.
    await stack.post(stack.linkUpdate(stack.mediaUrl('clip.mp4')));
    await stack.emulator.waitFor('sendVideo', 60_000);
    expect(processesOf(pointer!.current.python).length).toBeGreaterThanOrEqual(1);
    expect(processesOf(tools.python)).toEqual([]);

    // Both runs are the schedule's, listed by the CLI.
    const listed = JSON.parse(
      await temporal('schedule', 'describe', '--schedule-id', YTDLP_UPDATE_SCHEDULE_ID, '--output', 'json'),
    ) as {
      info?: { recentActions?: { startWorkflowResult?: { workflowId?: string } }[] };
    };
    const ids = (listed.info?.recentActions ?? []).map((action) => action.startWorkflowResult?.workflowId);
    expect(ids).toContain(workflowId);
    expect(ids).toHaveLength(2);
    const list = await temporal('workflow', 'list', '--query', `WorkflowType = "YtDlpUpdateWorkflow"`);
    expect(list).toContain(workflowId);

    // `ops status` and `ops ytdlp` on this host show the version in use, the canary and the schedule's last run.
    const ops = (...args: string[]) =>
      execa(process.execPath, ['--import', 'tsx', 'src/cli/ops.ts', ...args], {
        env: { DATA_DIR: stack.dataDir, TEMPORAL_ADDRESS: stack.env.address, LOG_LEVEL: 'silent' },
      });
    const status = JSON.parse((await ops('status', '--json')).stdout) as { ytDlp?: { version: string } };
    expect(status.ytDlp?.version).toBe(OLDER_YTDLP);
    expect((await ops('status')).stdout).toContain(`yt-dlp in use: ${OLDER_YTDLP}`);
    const shown = (await ops('ytdlp')).stdout;
    expect(shown).toContain(`last canary:    ${OLDER_YTDLP} passed`);
    expect(shown).toMatch(new RegExp(`^schedule: +ytdlp-update, next run .*, last .*\\(${workflowId}\\)$`, 'm'));
  });

  it('is updated in place by the next start (a pause from the Web UI stays), and deleted with off', async () => {
    const handle = stack.client.schedule.getHandle(YTDLP_UPDATE_SCHEDULE_ID);
    await handle.pause('paused by the operator');
    expect(await ensureYtDlpUpdateSchedule(stack.client, { schedule: '0 4 * * *', adminChatIds: [ADMIN, 5] })).toBe(
      'updated',
    );
    const description = await handle.describe();
    expect(description.state.paused).toBe(true);
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 4, end: 4, step: 1 }] });
    expect(description.action).toMatchObject({ args: [{ adminChatIds: [ADMIN, 5] }] });
    expect(await ensureYtDlpUpdateSchedule(stack.client, { schedule: 'off', adminChatIds: [] })).toBe('deleted');
    expect(await temporal('schedule', 'list')).not.toContain(YTDLP_UPDATE_SCHEDULE_ID);
    expect(await ensureYtDlpUpdateSchedule(stack.client, { schedule: 'off', adminChatIds: [] })).toBe('off');
  });
});
