/** The workflows the `telegram` queue's workers run (bundled by Temporal; no Node APIs here). */
export { MediaRequestWorkflow } from './mediaRequest.js';
export { ReplyWorkflow } from './reply.js';
