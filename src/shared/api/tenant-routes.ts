import { savedAnswer } from './accounts.js';
import { okAnswer } from './common.js';
import { body, CLASSIC_401, CLASSIC_403, ADMIN_ONLY, classicFail, idParams, json, type ApiRoute } from './route-kit.js';
import { apiKeyAnswer, syncStatusAnswer, tenantBody, tenantInfo, tenantPatchBody, tenantsAnswer, tenantsQuery } from './tenants.js';

/** Tenants as genro-mail-proxy v0.6.10 serves them (the routes Genropy's mail-proxy service calls). */
export const TENANT_ROUTES: readonly ApiRoute[] = [
  {
    method: 'post',
    path: '/tenant',
    summary: 'Register or replace a tenant; answers a new API key every time (the previous key stops working)',
    security: ADMIN_ONLY,
    request: { body: body(tenantBody) },
    responses: { 200: json(apiKeyAnswer, 'the key, shown once'), ...CLASSIC_401, ...CLASSIC_403, 422: classicFail('schema violation') },
  },
  {
    method: 'get',
    path: '/tenants',
    summary: 'Every tenant (active_only=1: the active ones)',
    security: ADMIN_ONLY,
    request: { query: tenantsQuery },
    responses: { 200: json(tenantsAnswer, 'tenants'), ...CLASSIC_401, ...CLASSIC_403 },
  },
  {
    method: 'get',
    path: '/tenants/sync-status',
    summary: "When each tenant's application was last synced",
    security: ADMIN_ONLY,
    responses: { 200: json(syncStatusAnswer, 'sync status per tenant'), ...CLASSIC_401, ...CLASSIC_403 },
  },
  {
    method: 'get',
    path: '/tenant/{id}',
    summary: "A tenant's configuration (its own token, or the admin token)",
    request: { params: idParams },
    responses: { 200: json(tenantInfo, 'the tenant'), ...CLASSIC_401, 404: classicFail('unknown tenant') },
  },
  {
    method: 'put',
    path: '/tenant/{id}',
    summary: 'Change the fields given (its own token, or the admin token); a new client_base_url origin drops the stored client_auth unless given',
    request: { params: idParams, body: body(tenantPatchBody) },
    responses: { 200: json(savedAnswer, 'changed'), ...CLASSIC_401, 404: classicFail('unknown tenant'), 422: classicFail('schema violation') },
  },
  {
    method: 'delete',
    path: '/tenant/{id}',
    summary: 'Delete a tenant with its accounts and messages',
    security: ADMIN_ONLY,
    request: { params: idParams },
    responses: { 200: json(okAnswer, 'deleted'), ...CLASSIC_401, ...CLASSIC_403, 404: classicFail('unknown tenant') },
  },
  {
    method: 'post',
    path: '/tenant/{id}/api-key',
    summary: 'A new API key for the tenant (the previous one stops working)',
    security: ADMIN_ONLY,
    request: { params: idParams },
    responses: { 200: json(apiKeyAnswer, 'the key, shown once'), ...CLASSIC_401, ...CLASSIC_403, 404: classicFail('unknown tenant') },
  },
  {
    method: 'delete',
    path: '/tenant/{id}/api-key',
    summary: "Revoke the tenant's API key",
    security: ADMIN_ONLY,
    request: { params: idParams },
    responses: { 200: json(okAnswer, 'revoked'), ...CLASSIC_401, ...CLASSIC_403, 404: classicFail('unknown tenant') },
  },
];
