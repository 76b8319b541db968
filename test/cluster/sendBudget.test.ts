/**
 * Telegram's budgets across hosts, on the real cluster: the send-budget scenario of
 * test/e2e/sendBudget.test.ts (two downloads hosts and a telegram worker, 12 links into one group
 * budgeted 12 a minute; a 429 to one host) run against the cluster's Temporal and the state store
 * in the cluster's own PostgreSQL, the store the budget is shared through.
 */
import { runSendBudgetScenario, type SendBudgetFindings } from '../e2e/support/sendBudgetScenario.js';
import { startClusterStack, type ClusterStack } from './support/clusterStack.js';

let stack: ClusterStack;
let findings: SendBudgetFindings;

beforeAll(async () => {
  // Only Temporal and PostgreSQL: the scenario starts the bot's processes itself, one tag per host.
  stack = await startClusterStack({ replicas: { webhook: 0, 'worker-telegram': 0, 'worker-downloads': 0 } });
  findings = await runSendBudgetScenario({
    temporalAddress: stack.cluster.address,
    stateDatabaseUrl: stack.cluster.stateDatabaseUrl,
    namespace: stack.cluster.namespace,
  });
}, 600_000);

afterAll(async () => {
  await stack?.stop();
});

it('keeps every 60 s of sends to the group within its budget, with both hosts delivering each link once', () => {
  for (const key of findings.groupKeys) expect(findings.groupDeliveries.get(key)).toBe(1);
  expect([...findings.groupDeliveries.keys()].sort()).toEqual([...findings.groupKeys].sort());
  expect(findings.groupMediaHosts).toEqual(['a', 'b']);
  expect(findings.groupSends.length).toBeGreaterThan(findings.groupBudget);
  expect(findings.fullestMinute).toBeLessThanOrEqual(findings.groupBudget);
  process.stdout.write(
    `[sendBudget on the cluster] ${findings.groupSends.length} message-creating calls to the group, at most ${findings.fullestMinute} in any 60 s (budget ${findings.groupBudget}); ${findings.groupKeys.length} links delivered once in ${(findings.phaseOneMs / 1000).toFixed(1)} s\n`,
  );
});

it("holds the other host's next send to the chat until a 429's retry_after has passed", () => {
  for (const key of findings.privateKeys) expect(findings.privateDeliveries.get(key)).toBe(1);
  expect(findings.callsDuringBlock).toEqual([]);
  expect(findings.otherHostNext).toBeDefined();
  const delay = findings.otherHostNext!.at - findings.limited.at;
  expect(delay).toBeGreaterThanOrEqual(findings.retryAfterSeconds * 1000);
  process.stdout.write(
    `[sendBudget on the cluster] 429 retry_after=${findings.retryAfterSeconds} to host ${findings.limited.via}; host ${findings.otherHostNext!.via}'s next send ${delay} ms later\n`,
  );
});
