/** The classic protocol's request schemas live in src/shared/api; these names stay for the core and its tests. */
export {
  accountInput,
  addMessagesInput,
  attachmentInput,
  cleanupMessagesInput,
  deleteMessagesInput,
  messageInput,
  priorityInput,
  type AccountInputBody,
  type MessageInput,
} from '../../shared/api/classic.js';
