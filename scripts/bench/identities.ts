// Generated French identities for the benches (browser-safe: pages bundle it too). Common
// surnames follow a long-tailed frequency, a third are rarer syllable-built names, with accents,
// hyphens, particles, several first names, married names and valid NIRs — what a regional
// registry of returning patients looks like. Deterministic for a seed.
import { v7 as uuidv7 } from 'uuid';
import type { Patient } from '../../src/domain/entities';

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SURNAMES = (
  'Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel ' +
  'Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine ' +
  'Rousseau Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier ' +
  'François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu ' +
  'Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun ' +
  'Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche ' +
  'Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud Dumas ' +
  'Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq ' +
  'Guillaume Lecomte Lopez Jean Dupuy Guillot Hubert Berger Carpentier Sanchez Dupuis Moulin ' +
  'Louis Deschamps Huet Vasseur Perez Boucher Fleury Royer Klein Jacquet Adam Paris Poirier ' +
  'Marty Aubry Guyot Carré Charles Renault Charpentier Ménard Maillard Baron Bertin Bailly ' +
  'Hervé Schneider Fernandez Le_Gall Collet Léger Bouvier Julien Prévost Millet Perrot Daniel ' +
  'Le_Roux Cousin Germain Breton Besson Langlois Rémy Le_Goff Pelletier Lévêque Perrier ' +
  'Leblanc Barré Lebrun Marchal Weber Mallet Hamon Boulanger Jacob Monnier Michaud Rodriguez ' +
  'Guichard Gillet Étienne Grondin Poulain Tessier Chevallier Collin Chauvin Da_Silva Bouchet ' +
  'Gay Lemaître Bénard Maréchal Humbert Reynaud Antoine Hoarau Perret Barthélemy Cordier ' +
  'Pichon Lejeune Gilbert Lamy Delaunay Pasquier Carlier Laporte Cottereau Gasnier Fouquet ' +
  'Besnard Launay Boulay Hérault Jouanneau Gaudin Brault Dubois-Ménard Saint-Martin ' +
  'Lefèvre-Dupont Du_Plessis De_La_Fontaine Œillet Cœurdacier'
)
  .split(' ')
  .map((s) => s.replaceAll('_', ' '));

export const FIRST_F = (
  'Marie Jeanne Françoise Monique Catherine Nathalie Isabelle Sylvie Martine Christine Anne ' +
  'Valérie Sandrine Céline Stéphanie Émilie Chloé Léa Manon Camille Inès Jade Louise Zoé ' +
  'Élodie Hélène Odile Yvette Geneviève Thérèse Josiane Brigitte Danielle Nicole Agnès ' +
  'Aurélie Laëtitia Gaëlle Maëlle Noémie Océane Mélanie Pauline Julie Sophie Claire Lucie ' +
  'Margaux Anaïs Clémence Marie-Claude Anne-Sophie'
).split(' ');

export const FIRST_M = (
  'Jean Pierre Michel André Philippe Alain Jacques Bernard Gérard Daniel René Christian ' +
  'Patrick Nicolas Stéphane Frédéric Laurent Éric Olivier Sébastien Thierry Pascal ' +
  'Christophe David Julien Thomas Hugo Lucas Théo Louis Gabriel Raphaël Arthur Mathis Nathan ' +
  'Enzo Noël Loïc Yannick Hervé Benoît François Jérôme Cédric Guillaume Maxime Antoine ' +
  'Clément Kévin Jérémy Jean-Pierre Jean-Claude'
).split(' ');

const SYLLABLES = (
  'ber nard mo reau du pont le fè vre gar nier rou sseau ma thieu ché ron bou lan ger dé ' +
  'lau nay mar chal po tier tes sier vau cel lier gui chard bri ce jou an neau lé ger bré ' +
  'hau ri val quin tin'
).split(' ');

/** Sarthe communes (the pilot) first, a few elsewhere, and births abroad ('99' + country). */
const BIRTH_PLACES = [
  '72181',
  '72180',
  '72039',
  '72189',
  '72276',
  '72215',
  '72220',
  '72264',
  '72003',
  '72328',
  '61001',
  '61169',
  '75056',
  '44109',
  '35238',
  '2A004',
  '99350',
  '99134',
];

/** Zipf-like pick: index i with weight 1 / (i + 1). */
function zipf(list: readonly string[], r: number): string {
  const n = list.length;
  const h = Math.log(n) + 0.5772;
  const i = Math.min(n - 1, Math.floor(Math.exp(r * h) - 1));
  return list[Math.max(0, i)]!;
}

/** 15-character NIR with its key (97 − body mod 97; Corsica 2A → 19, 2B → 18). */
export function nirFor(sex: 'F' | 'M', birthDate: string, place: string, order: number): string {
  const dept = place.slice(0, 2);
  const commune = place.slice(2, 5);
  const body = `${sex === 'M' ? 1 : 2}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}${dept}${commune}${String(order % 1000).padStart(3, '0')}`;
  const numeric = body.replace('2A', '19').replace('2B', '18');
  const key = 97n - (BigInt(numeric) % 97n);
  return `${body}${String(key).padStart(2, '0')}`;
}

/** `n` patients of organisation `orgId`, deterministic for `seed`. */
export function frenchPatients(n: number, orgId: string, seed = 72): Patient[] {
  const rnd = rng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const bytes = () => Uint8Array.from({ length: 16 }, () => Math.floor(rnd() * 256));
  let tick = Date.parse('2024-01-01T00:00:00Z');
  const out: Patient[] = [];
  for (let i = 0; i < n; i++) {
    const sex: 'F' | 'M' = rnd() < 0.52 ? 'F' : 'M';
    const surname =
      rnd() < 0.66
        ? zipf(SURNAMES, rnd())
        : (pick(SYLLABLES) + pick(SYLLABLES) + (rnd() < 0.5 ? pick(SYLLABLES) : '')).replace(
            /^./,
            (c) => c.toUpperCase(),
          );
    const firstList = sex === 'F' ? FIRST_F : FIRST_M;
    const count = rnd() < 0.55 ? 1 : rnd() < 0.8 ? 2 : 3;
    const firstNames = Array.from({ length: count }, () => zipf(firstList, rnd())).join(' ');
    const year = 1925 + Math.floor(rnd() * 100);
    const month = 1 + Math.floor(rnd() * 12);
    const day = 1 + Math.floor(rnd() * 28);
    const birthDate = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    const place = rnd() < 0.7 ? BIRTH_PLACES[Math.floor(rnd() * 10)]! : pick(BIRTH_PLACES);
    const hasNir = rnd() < 0.6 && !place.startsWith('99');
    const married = sex === 'F' && rnd() < 0.3;
    out.push({
      id: uuidv7({ msecs: tick++, random: bytes() }),
      orgId,
      birthName: surname.toUpperCase(),
      usedName: married ? zipf(SURNAMES, rnd()).toUpperCase() : null,
      firstNames,
      usedFirstName: count > 1 && rnd() < 0.1 ? firstNames.split(' ')[1]! : null,
      sex,
      birthDate,
      birthPlaceCode: place,
      identityStatus: hasNir ? 'validee' : 'provisoire',
      nir: hasNir ? nirFor(sex, birthDate, place, i) : null,
      phone: `06 ${String(Math.floor(rnd() * 90) + 10)} ${String(Math.floor(rnd() * 90) + 10)} ${String(Math.floor(rnd() * 90) + 10)} ${String(Math.floor(rnd() * 90) + 10)}`,
      email: rnd() < 0.3 ? `patient${i}@exemple.fr` : null,
      address: `${1 + Math.floor(rnd() * 80)} rue de la Mairie`,
      communeInsee: place.startsWith('72') ? place : '72181',
      coverage: pick(['amo_amc', 'amo_amc', 'amo', 'c2s', 'inconnue'] as const),
      mtStatus: rnd() < 0.45 ? 'none' : 'declared',
      mtName: null,
      ald: rnd() < 0.25,
      allergies: rnd() < 0.12 ? [pick(['Pénicilline', 'Aspirine', 'Iode', 'Latex'])] : [],
      createdAt: new Date(tick).toISOString(),
      duplicateDecision: null,
    });
  }
  return out;
}

/** Strips accents and case the way a receptionist types (« Lefèvre » → « lefevre »). */
function plain(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** One edit (substitution, transposition or deletion) in the middle of a word. */
function typo(word: string, r: () => number): string {
  const i = 1 + Math.floor(r() * (word.length - 2));
  const kind = Math.floor(r() * 3);
  if (kind === 0) return `${word.slice(0, i)}${word[i] === 'e' ? 'a' : 'e'}${word.slice(i + 1)}`;
  if (kind === 1) return `${word.slice(0, i)}${word[i + 1] ?? ''}${word[i]}${word.slice(i + 2)}`;
  return `${word.slice(0, i)}${word.slice(i + 1)}`;
}

/**
 * What reception types, on identities of the registry: name prefixes, name and first name,
 * typos, birth dates in several spellings, name with date, NIRs (whole, spaced, or a prefix),
 * a year, and queries that find nothing.
 */
export function receptionQueries(
  patients: readonly Patient[],
  count: number,
  seed: number,
): string[] {
  const r = rng(seed);
  const any = () => patients[Math.floor(r() * patients.length)]!;
  const dmy = (p: Patient) => {
    const [y, m, d] = p.birthDate.split('-');
    return { y: y!, m: m!, d: d! };
  };
  const firstWord = (s: string) => plain(s).split(/[\s-]+/)[0]!;
  const kinds: (() => string)[] = [
    () => plain(any().birthName).slice(0, 2 + Math.floor(r() * 5)),
    () => {
      const p = any();
      return `${plain(p.birthName)} ${firstWord(p.firstNames)}`;
    },
    () => {
      const p = any();
      return `${p.birthName.slice(0, 4)} ${firstWord(p.firstNames).slice(0, 3)}`;
    },
    () => {
      let p = any();
      while (plain(p.birthName).replaceAll(' ', '').length < 5) p = any();
      return typo(plain(p.birthName).replaceAll(' ', ''), r);
    },
    () => {
      const { y, m, d } = dmy(any());
      return [`${d}/${m}/${y}`, `${d}${m}${y}`, `${d} ${m} ${y}`, `${d}-${m}-${y.slice(2)}`][
        Math.floor(r() * 4)
      ]!;
    },
    () => {
      const p = any();
      const { y, m, d } = dmy(p);
      return `${plain(p.birthName).slice(0, 3)} ${d}/${m}/${y}`;
    },
    () => {
      let p = any();
      while (!p.nir) p = any();
      const n = p.nir;
      return r() < 0.5
        ? `${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7, 10)} ${n.slice(10, 13)} ${n.slice(13)}`
        : n.slice(0, 7 + Math.floor(r() * 7));
    },
    () => `${plain(any().birthName).slice(0, 4)} ${dmy(any()).y}`,
    () => firstWord(any().firstNames),
    () => ['zzzz', 'qwerty', 'xylophone', 'kkkk jjjj'][Math.floor(r() * 4)]!,
  ];
  return Array.from({ length: count }, (_, i) => kinds[i % kinds.length]!());
}
