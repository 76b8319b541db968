/**
 * `ops ytdlp`: the yt-dlp of this host (its DATA_DIR): the version in use, the previous one, the
 * last candidate and its canary result, and the update schedule (when Temporal answers).
 * `ops ytdlp rollback`: the engine goes back to the previous version (new jobs use it; running
 * ones finish), and the update does not install the version left again.
 */
import { existsSync } from 'node:fs';
import {
  readPointer,
  readUpdateState,
  releaseInUse,
  rollBack,
  ytDlpRoot,
} from '../../activities/adapters/ytDlpVenvs.js';
import { YTDLP_UPDATE_SCHEDULE_ID } from '../../shared/contracts/ytDlpUpdate.js';
import type { Config } from '../config/index.js';
import { resolveTools } from '../tools.js';
import { expectPositionals, parseCommandArgs, UsageError } from './args.js';
import { commonFlags, type Command, type CommonFlags } from './command.js';
import type { OpsContext } from './context.js';
import { utc } from './output.js';

type YtDlpArgs = CommonFlags & { action: 'show' | 'rollback' };

export interface YtDlpView {
  inUse: { version: string; python: string; since?: string; reason?: string };
  previous?: { version: string; python: string };
  candidate?: { version: string; installedAt: string };
  lastCanary?: { version: string; ok: boolean; at: string; checks: { name: string; ok: boolean; detail: string }[] };
  rolledBackFrom: string[];
}

/** What this host's DATA_DIR says about its yt-dlp (no Temporal needed). */
export async function ytDlpView(config: Config): Promise<YtDlpView> {
  const root = ytDlpRoot(config.dataDir);
  const basePython = resolveTools(config.tools).python;
  const pointer = readPointer(root);
  const state = readUpdateState(root);
  const current = await releaseInUse(root, basePython);
  const pointed = pointer && existsSync(pointer.current.python);
  return {
    inUse: {
      version: current.version,
      python: current.python,
      ...(pointed ? { since: pointer.switchedAt, reason: pointer.reason } : {}),
    },
    ...(pointed && pointer.previous
      ? { previous: { version: pointer.previous.version, python: pointer.previous.python } }
      : {}),
    ...(state.candidate
      ? { candidate: { version: state.candidate.version, installedAt: state.candidate.installedAt } }
      : {}),
    ...(state.lastCanary ? { lastCanary: state.lastCanary } : {}),
    rolledBackFrom: state.rolledBackFrom ?? [],
  };
}

export function ytDlpLines(view: YtDlpView): string[] {
  const lines = [
    `yt-dlp in use:  ${view.inUse.version}  (${view.inUse.python}${view.inUse.since ? `, ${view.inUse.reason} ${utc(new Date(view.inUse.since))}` : ''})`,
  ];
  if (view.previous) lines.push(`previous:       ${view.previous.version}  (ops ytdlp rollback goes back to it)`);
  if (view.candidate)
    lines.push(`last candidate: ${view.candidate.version}  (installed ${utc(new Date(view.candidate.installedAt))})`);
  if (view.lastCanary) {
    lines.push(
      `last canary:    ${view.lastCanary.version} ${view.lastCanary.ok ? 'passed' : 'FAILED'} at ${utc(new Date(view.lastCanary.at))}`,
    );
    for (const check of view.lastCanary.checks)
      lines.push(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  if (view.rolledBackFrom.length > 0)
    lines.push(`rolled back from (not installed again): ${view.rolledBackFrom.join(', ')}`);
  return lines;
}

async function scheduleLine(
  connect: () => Promise<OpsContext>,
): Promise<{ line: string; data: unknown } | { warning: string }> {
  try {
    const { client } = await connect();
    const description = await client.schedule.getHandle(YTDLP_UPDATE_SCHEDULE_ID).describe();
    const next = description.info.nextActionTimes[0];
    const last = description.info.recentActions.at(-1);
    const data = {
      paused: description.state.paused,
      nextRun: next?.toISOString(),
      lastRun: last ? { at: last.takenAt.toISOString(), workflowId: last.action.workflow.workflowId } : undefined,
    };
    return {
      data,
      line: `schedule:       ${YTDLP_UPDATE_SCHEDULE_ID}${data.paused ? ' PAUSED' : ''}, next run ${utc(next)}, last ${last ? `${utc(last.takenAt)} (${last.action.workflow.workflowId})` : 'none'}`,
    };
  } catch (error) {
    return { warning: `the update schedule: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export const ytdlpCommand: Command<YtDlpArgs> = {
  parse(args) {
    const { values, positionals } = parseCommandArgs('ytdlp', args, {});
    expectPositionals('ytdlp', positionals, 0, 1, '[rollback]');
    const action = positionals[0] ?? 'show';
    if (action !== 'show' && action !== 'rollback') throw new UsageError(`ytdlp: unknown action "${action}"`);
    return { ...commonFlags(values), action };
  },

  async run({ action }, connect, config) {
    if (action === 'rollback') {
      try {
        const pointer = rollBack(ytDlpRoot(config.dataDir), new Date());
        const text = `yt-dlp rolled back: ${pointer.previous?.version} → ${pointer.current.version}. New downloads use it; running ones finish on ${pointer.previous?.version}.`;
        return {
          data: { rolledBack: true, from: pointer.previous?.version, to: pointer.current.version },
          text,
          exitCode: 0,
        };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { data: { rolledBack: false, error: message }, text: `cannot roll back: ${message}`, exitCode: 1 };
      }
    }
    const view = await ytDlpView(config);
    const schedule = await scheduleLine(connect);
    const lines = ytDlpLines(view);
    if ('line' in schedule) lines.push(schedule.line);
    return {
      data: { ...view, schedule: 'data' in schedule ? schedule.data : undefined },
      text: lines.join('\n'),
      warnings: 'warning' in schedule ? [schedule.warning] : [],
      exitCode: 0,
    };
  },
};
