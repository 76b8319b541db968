import { execa } from 'execa';
import { resolveTools } from '../../src/tools.js';

/** A run's history as an operator exports it: `temporal workflow show --output json`, the local CLI. */
export async function exportHistory(address: string, workflowId: string, extra: string[] = []): Promise<string> {
  const { stdout } = await execa(resolveTools().temporal, [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    '--output',
    'json',
    '--address',
    address,
    '--namespace',
    'default',
    ...extra,
  ]);
  return stdout;
}
