import { MANAGED_IDENTITY_KINDS } from '../../ingestion/classify';
import { formFields, requestEvidence, responseEvidence } from '../evidence';
import { IDENTITY_NOT_FOUND_TEXT } from '../patterns';
import type { Rule } from '../rule';

export const managedIdentityRule: Rule = {
  name: 'managed-identity',
  emits: ['MANAGED_IDENTITY_NOT_FOUND', 'MANAGED_IDENTITY_ERROR'],
  evaluate(ctx) {
    const status = ctx.status;
    if (!MANAGED_IDENTITY_KINDS.includes(ctx.analysis.kind) || status === undefined || status < 400)
      return [];
    const message = ctx.analysis.serviceMessage ?? ctx.analysis.tokenError?.description ?? '';
    const notFound = (status === 400 || status === 404) && IDENTITY_NOT_FOUND_TEXT.test(message);
    const path = ctx.exchange.request.path;
    const asked = path.includes('?')
      ? formFields(path, [
          'client_id',
          'clientid',
          'object_id',
          'principal_id',
          'mi_res_id',
          'msi_res_id',
          'resource',
        ])
      : {};
    const endpoint = ctx.analysis.kind === 'imds-token' ? 'IMDS' : 'App Service identity endpoint';
    return [
      {
        id: notFound ? 'MANAGED_IDENTITY_NOT_FOUND' : 'MANAGED_IDENTITY_ERROR',
        title: notFound
          ? `${endpoint} found no managed identity${asked.client_id ? ` for client id ${asked.client_id}` : ''}: ${message || status}`
          : `${endpoint} answered ${status}${message ? `: ${message}` : ''}`,
        evidence: { ...requestEvidence(ctx), ...responseEvidence(ctx), ...asked },
      },
    ];
  },
};
