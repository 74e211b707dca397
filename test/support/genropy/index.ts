/** A test double of today's Genropy application for the relay's tenant tests: see README.md. */
export { GenropyApp, DEFAULT_BASE_PATH, type AppClock, type GenropyAppOptions } from './app.js';
export { AUTH_ERROR_TEXT, MAILPROXY_TAG, UserTable, verifyBasic, type AuthDecision, type AuthRefusal } from './auth.js';
export { ATTACHMENT_PATH, CLIENT_USER, GenropyClient, SYNC_PATH, type GenropyClientOptions, type Json, type RegisterResult, type UnregisterResult } from './client.js';
export { toProxyMessage, type Conversion, type ProxyAttachment } from './convert.js';
export { accountPayload, addressList, extractAddresses, normaliseHeaders, type GenropyAccount, type OutboxMessage, type OutboxStatus } from './model.js';
export { noFaults, type AttachmentFault, type Faults } from './mp-endpoint.js';
export { ExchangeLog, summarise, waitFor, type Counters, type Exchange } from './observe.js';
export { Outbox, type MailSpec } from './outbox.js';
export { pushQueued, type PushOutcome } from './push.js';
export { applyDeliveryReport, decideTransient, MAX_TRANSIENT_RETRIES, TRANSIENT_MARKER, TRANSIENT_RETRY_DELAYS, type ReportAnswer, type TransientDecision } from './report.js';
export { addMessagesTimeout, interpretReply, usesAdminToken, type RawReply, type ReplyOutcome } from './request.js';
export { FileMissingError, Storage, StorageError } from './storage.js';
