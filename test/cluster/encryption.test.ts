/**
 * The cluster as compose runs it, with payload encryption on: the bot's runs are stored
 * encrypted in PostgreSQL (the link appears nowhere in Temporal's database), the cluster starts
 * the codec server, and its Web UI is pointed at it: the UI's settings name the codec endpoint, and
 * the codec server decodes a run's input back to the link for a caller from the UI's origin.
 */
import path from 'node:path';
import { execa } from 'execa';
import { postgresBinDir } from '../../src/cluster/postgres.js';
import { deliveriesByRequest } from '../faults/support/deliveries.js';
import { linkUpdate, waitUntil } from '../faults/support/faultStack.js';
import { encryptionEnvironment } from '../support/codecKeys.js';
import { createMediaFixtures } from '../support/mediaFixtures.js';
import { startMediaServer, type MediaServer } from '../support/mediaServer.js';
import { startClusterStack, type ClusterStack } from './support/clusterStack.js';

const CHAT_ID = 7402;
const encryption = encryptionEnvironment();

let stack: ClusterStack;
let media: MediaServer;

beforeAll(async () => {
  const fixtures = await createMediaFixtures();
  media = await startMediaServer(fixtures.dir);
  stack = await startClusterStack({ env: encryption, replicas: { 'worker-downloads': 1 } });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await media?.close();
});

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

it('stores the run encrypted, and the Web UI reads it through the codec server the cluster started', async () => {
  const link = media.url('clip.mp4');
  const update = linkUpdate(link, CHAT_ID);
  expect(await stack.post(update)).toBe(200);
  const key = `${CHAT_ID}:${update.message!.message_id}`;
  await waitUntil(
    () => deliveriesByRequest(stack.emulator).get(key) === 1,
    120_000,
    () => 'no delivery',
  );

  // Not in Temporal's database in the clear: neither the link nor its path.
  const psql = path.join(await postgresBinDir(), 'psql');
  const dump = await execa(psql, [
    stack.cluster.postgres.url('temporal'),
    '-tAc',
    'SELECT encode(data, $$escape$$) FROM history_node',
  ]);
  expect(dump.stdout.length).toBeGreaterThan(1000);
  expect(dump.stdout).not.toContain(new URL(link).pathname);

  // The UI knows where to decode.
  const settings = (await (await fetch(`${stack.cluster.uiUrl}/api/v1/settings`)).json()) as {
    Codec?: { Endpoint?: string };
  };
  expect(stack.cluster.codec?.running).toBe(true);
  expect(settings.Codec?.Endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/codec$/);

  // The run's input, as the UI fetches it (through the UI server), then decoded as the UI does.
  let run: { workflowId: string } | undefined;
  await waitUntil(
    async () => {
      for await (const listed of stack.client.workflow.list({ query: `WorkflowType = "MediaRequestWorkflow"` }))
        if (listed.status.name === 'COMPLETED') run = listed;
      return run !== undefined;
    },
    30_000,
    () => 'the delivered run is not listed',
    500,
  );
  expect(run).toBeDefined();
  const history = (await (
    await fetch(
      `${stack.cluster.uiUrl}/api/v1/namespaces/default/workflows/${encodeURIComponent(run!.workflowId)}/history?maximumPageSize=5`,
    )
  ).json()) as {
    history?: { events?: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: JsonPayload[] } } }[] };
  };
  const input = history.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
  expect(input.length).toBeGreaterThan(0);
  expect(Buffer.from(input[0]!.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
  const uiOrigin = stack.cluster.uiUrl;
  const decoded = await fetch(settings.Codec!.Endpoint! + '/decode', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: uiOrigin },
    body: JSON.stringify({ payloads: input }),
  });
  expect(decoded.status).toBe(200);
  const { payloads } = (await decoded.json()) as { payloads: JsonPayload[] };
  expect(payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8')).join('\n')).toContain(link);
  // Anyone else is refused.
  expect(
    (
      await fetch(settings.Codec!.Endpoint! + '/decode', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default', origin: 'http://attacker.example' },
        body: JSON.stringify({ payloads: input }),
      })
    ).status,
  ).toBe(401);
});
