// The identity's shapes shared by traits, status, duplicates and search.

export type Sex = 'F' | 'M' | 'I';
export type IdentityStatus = 'provisoire' | 'recuperee' | 'validee' | 'qualifiee';

/** The traits an identity is made of, as a patient row holds them (optional parts may be null). */
export interface IdentityTraits {
  birthName: string;
  usedName?: string | null;
  /** Birth first names, space-separated, in civil-status order. */
  firstNames: string;
  usedFirstName?: string | null;
  sex: string;
  /** 'YYYY-MM-DD' */
  birthDate: string;
  /** INSEE code: commune ('72181', '2A004') or '99' + country code when born abroad. */
  birthPlaceCode?: string | null;
  nir?: string | null;
}

/** An identity already in the registry. */
export interface IdentityRecord extends IdentityTraits {
  id: string;
}
