/**
 * Telegram's budgets hold across hosts (issue #15, point 2), on the real stack: two downloads
 * worker processes (each its own DATA_DIR) and a telegram worker share the send budget in one
 * PostgreSQL state store. Twelve links into one group whose budget is lowered to 12 a minute are
 * each delivered once, by both hosts, and no 60 s of what the Bot API emulator received holds more
 * than 12 messages to the group; a 429 one host receives holds every other process's calls to that
 * chat until its retry_after has passed.
 *
 * The Temporal dev server and a private PostgreSQL by default; SEND_BUDGET_TEMPORAL_ADDRESS and
 * SEND_BUDGET_STATE_DATABASE_URL (and SEND_BUDGET_TEMPORAL_NAMESPACE) run the same scenario
 * against a real cluster and database (test/e2e/support/sendBudgetScenario.ts).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startPrivatePostgres, type PrivatePostgres } from '../support/postgres.js';
import { startTemporal } from '../support/stack.js';
import { runSendBudgetScenario, type SendBudgetFindings } from './support/sendBudgetScenario.js';

let temporal: TestWorkflowEnvironment | undefined;
let postgres: PrivatePostgres | undefined;
let findings: SendBudgetFindings;

beforeAll(async () => {
  const injected = {
    temporalAddress: process.env.SEND_BUDGET_TEMPORAL_ADDRESS,
    stateDatabaseUrl: process.env.SEND_BUDGET_STATE_DATABASE_URL,
  };
  if (!injected.temporalAddress) temporal = await startTemporal();
  if (!injected.stateDatabaseUrl) postgres = await startPrivatePostgres();
  findings = await runSendBudgetScenario({
    temporalAddress: injected.temporalAddress ?? temporal!.address,
    stateDatabaseUrl: injected.stateDatabaseUrl ?? postgres!.url,
    namespace: process.env.SEND_BUDGET_TEMPORAL_NAMESPACE,
  });
}, 330_000);

afterAll(async () => {
  await temporal?.teardown();
  await postgres?.stop();
});

it('delivers twelve links into one group exactly once, from both hosts, within the group budget of any 60 s', () => {
  for (const key of findings.groupKeys) expect(findings.groupDeliveries.get(key)).toBe(1);
  expect([...findings.groupDeliveries.keys()].sort()).toEqual([...findings.groupKeys].sort());
  expect(findings.groupMediaHosts).toEqual(['a', 'b']);
  // Status messages and media: more than one minute's budget, so the budget had to hold some back.
  expect(findings.groupSends.length).toBeGreaterThan(findings.groupBudget);
  expect(findings.fullestMinute).toBeLessThanOrEqual(findings.groupBudget);
  expect(findings.phaseOneMs).toBeGreaterThanOrEqual(60_000);
  process.stdout.write(
    `[sendBudget e2e] group: ${findings.groupSends.length} message-creating calls (${findings.groupSends.filter((call) => call.via).length} from the downloads hosts), ` +
      `at most ${findings.fullestMinute} in any 60 s (budget ${findings.groupBudget}); all ${findings.groupKeys.length} delivered once in ${(findings.phaseOneMs / 1000).toFixed(1)} s\n`,
  );
});

it("holds the other host's next send to a chat (and every call to it) until a 429's retry_after has passed", () => {
  for (const key of findings.privateKeys) expect(findings.privateDeliveries.get(key)).toBe(1);
  expect(findings.limited.via).toMatch(/^[ab]$/);
  expect(findings.callsDuringBlock.map((call) => `${call.method} via ${call.via ?? 'telegram'}`)).toEqual([]);
  expect(findings.otherHostNext).toBeDefined();
  const delay = findings.otherHostNext!.at - findings.limited.at;
  expect(delay).toBeGreaterThanOrEqual(findings.retryAfterSeconds * 1000);
  process.stdout.write(
    `[sendBudget e2e] 429 retry_after=${findings.retryAfterSeconds} answered to host ${findings.limited.via}; host ${findings.otherHostNext!.via}'s next send to the chat came ${delay} ms later; ` +
      `no call to the chat during the block\n`,
  );
});
