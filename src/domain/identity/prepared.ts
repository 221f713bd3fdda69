// Identities folded once (accents, case, spaces), shared by duplicate detection and search.
import { foldName } from '../text';
import type { IdentityTraits } from './types';

export interface PreparedIdentity {
  birthName: string;
  usedName: string;
  firstNames: string;
  usedFirstName: string;
  /** First token of the birth first names. */
  firstFirst: string;
  firstTokens: string[];
  sex: string;
  birthDate: string;
  birthPlaceCode: string;
  nir: string;
}

export function prepare(x: IdentityTraits): PreparedIdentity {
  const firstNames = foldName(x.firstNames ?? '');
  const usedFirstName = foldName(x.usedFirstName ?? '');
  const firstTokens = firstNames === '' ? [] : firstNames.split(' ');
  return {
    birthName: foldName(x.birthName ?? ''),
    usedName: foldName(x.usedName ?? ''),
    firstNames,
    usedFirstName,
    firstFirst: firstTokens[0] ?? '',
    firstTokens,
    sex: x.sex,
    birthDate: x.birthDate,
    birthPlaceCode: (x.birthPlaceCode ?? '').trim().toUpperCase(),
    nir: (x.nir ?? '').replace(/\s+/gu, '').toUpperCase(),
  };
}
