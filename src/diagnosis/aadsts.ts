import type { FindingId } from './finding-ids';

/** AADSTS codes (digits) with an entry of their own; every other code is ENTRA_TOKEN_ERROR. */
export const BY_AADSTS: Readonly<Record<string, FindingId>> = {
  '700016': 'ENTRA_APP_NOT_FOUND',
  '7000215': 'ENTRA_INVALID_CLIENT_SECRET',
  '7000222': 'ENTRA_CLIENT_SECRET_EXPIRED',
  '90002': 'ENTRA_TENANT_NOT_FOUND',
  '1002012': 'ENTRA_INVALID_SCOPE',
  '500011': 'ENTRA_INVALID_SCOPE',
};

export function findingForAadsts(code: string | undefined): FindingId {
  const digits = code?.replace(/^AADSTS/i, '');
  return (digits && BY_AADSTS[digits]) || 'ENTRA_TOKEN_ERROR';
}
