// Consultation notes of the reference day (issue 19 §8): French clinical prose that does not
// repeat, so the compression of notes on the wire is what real notes would give. Each sentence
// is drawn from templates whose slots take words of a vocabulary (complaints, durations, sites,
// history, treatments, findings, measures, plans) with the day's seeded PRNG; numbers (ages,
// doses, values, dates) vary too. A note of 500 characters holds 4–6 sentences: with ~30
// templates and 10–25 words per slot, two notes almost never share a sentence.

type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const COMPLAINT = [
  'des douleurs lombaires',
  'une toux sèche',
  'une toux grasse',
  'des céphalées',
  'une fatigue inhabituelle',
  'des vertiges rotatoires',
  'une douleur de l’épaule droite',
  'une douleur du genou gauche',
  'des brûlures mictionnelles',
  'des palpitations',
  'une dyspnée d’effort',
  'des troubles du sommeil',
  'une éruption prurigineuse',
  'des douleurs abdominales',
  'une gêne pharyngée',
  'des douleurs dentaires',
  'une otalgie',
  'des crampes nocturnes',
  'une baisse de l’appétit',
  'des reflux acides',
  'une anxiété marquée',
  'des sensations de jambes lourdes',
];
const DURATION = [
  'depuis deux jours',
  'depuis une semaine',
  'depuis une dizaine de jours',
  'depuis trois semaines',
  'depuis plus d’un mois',
  'depuis le début de l’hiver',
  'depuis la dernière escale',
  'de façon intermittente depuis plusieurs mois',
  'depuis son arrêt de travail',
  'depuis un changement de traitement',
];
const MODIFIER = [
  'majorées à l’effort',
  'plutôt nocturnes',
  'calmées par le repos',
  'aggravées en position allongée',
  'sans facteur déclenchant retrouvé',
  'survenues après un effort de port de charge',
  'peu soulagées par le paracétamol',
  'associées à une fébricule',
  'sans fièvre ni frissons',
  'retentissant sur le travail',
];
const HISTORY = [
  'une hypertension artérielle',
  'un diabète de type 2',
  'une BPCO',
  'un asthme ancien',
  'une hypothyroïdie',
  'une cholécystectomie',
  'une fracture du poignet',
  'une dépression traitée',
  'une fibrillation atriale',
  'une insuffisance veineuse',
  'une arthrose des genoux',
  'une hernie discale opérée',
  'un tabagisme sevré',
  'un tabagisme actif',
  'une dyslipidémie',
];
const DRUG = [
  ['amlodipine', '5 mg'],
  ['ramipril', '5 mg'],
  ['metformine', '1000 mg'],
  ['lévothyroxine', '75 µg'],
  ['atorvastatine', '20 mg'],
  ['oméprazole', '20 mg'],
  ['bisoprolol', '2,5 mg'],
  ['paracétamol', '1 g'],
  ['salbutamol', '100 µg'],
  ['apixaban', '5 mg'],
  ['sertraline', '50 mg'],
  ['furosémide', '40 mg'],
] as const;
const SITE = [
  'cardio-pulmonaire',
  'pulmonaire',
  'abdominal',
  'cutané',
  'ORL',
  'neurologique',
  'ostéo-articulaire',
  'rachidien',
  'bucco-dentaire',
  'des membres inférieurs',
];
const FINDING = [
  'sans anomalie notable',
  'rassurant',
  'retrouvant une sensibilité localisée',
  'notant quelques râles crépitants aux bases',
  'montrant un tympan congestif',
  'retrouvant une contracture paravertébrale',
  'notant des œdèmes prenant le godet',
  'retrouvant une carie profonde',
  'montrant un érythème en plaques',
  'sans signe de localisation',
  'avec une mobilité conservée',
];
const DIAGNOSIS = [
  'une lombalgie commune',
  'une bronchite aiguë probablement virale',
  'une rhinopharyngite',
  'une HTA insuffisamment contrôlée',
  'un diabète déséquilibré',
  'une cystite simple',
  'une tendinopathie de la coiffe',
  'une gonarthrose en poussée',
  'un reflux gastro-œsophagien',
  'un trouble anxieux',
  'une otite moyenne aiguë',
  'une pulpite',
  'un eczéma de contact',
  'une insuffisance veineuse symptomatique',
];
const PLAN = [
  'bilan biologique prescrit (NFS, ionogramme, créatinine, HbA1c)',
  'ECG à réaliser à la prochaine escale',
  'radiographie demandée au centre hospitalier le plus proche',
  'kinésithérapie prescrite, dix séances',
  'renouvellement du traitement pour trois mois',
  'adaptation posologique expliquée et notée sur l’ordonnance',
  'orientation vers la MSP pour la recherche d’un médecin traitant',
  'rendez-vous proposé avec l’assistante sociale pour l’ouverture des droits',
  'consultation dentaire programmée lors du prochain passage',
  'rappel dTP proposé et accepté',
  'courrier remis pour le cardiologue',
  'surveillance tensionnelle à domicile avec relevés',
  'conseils d’hygiène de vie donnés et compris',
];
const WHEN = [
  'à la prochaine escale',
  'dans quinze jours',
  'dans un mois',
  'dans trois mois',
  'plus tôt en cas d’aggravation',
  'par téléphone dans la semaine',
];
const CONTEXT = [
  'vit seul',
  'vit avec sa fille',
  'travaille en horaires décalés',
  'est retraité de l’agriculture',
  'est sans véhicule',
  'habite à vingt kilomètres du bourg',
  'n’a plus de médecin traitant depuis un départ en retraite',
  'n’a pas consulté depuis deux ans',
  'est aidant de son conjoint',
  'est venu accompagné',
];

const SENTENCES: Record<
  'subjective' | 'objective' | 'assessment' | 'plan',
  ((r: Rand) => string)[]
> = {
  subjective: [
    (r) => `Consulte pour ${pick(r, COMPLAINT)} ${pick(r, DURATION)}, ${pick(r, MODIFIER)}.`,
    (r) => `Patient de ${int(r, 18, 92)} ans qui ${pick(r, CONTEXT)}.`,
    (r) => `Antécédents : ${pick(r, HISTORY)} et ${pick(r, HISTORY)}.`,
    (r) => {
      const [d, dose] = pick(r, DRUG);
      return `Traitement en cours : ${d} ${dose}, ${int(r, 1, 3)} prise(s) par jour, observance ${pick(r, ['correcte', 'irrégulière', 'bonne', 'partielle'])}.`;
    },
    (r) => `Signale aussi ${pick(r, COMPLAINT)} ${pick(r, DURATION)}.`,
    (r) =>
      `Pas d’allergie connue ; ${pick(r, ['pas de', 'quelques', 'plusieurs'])} passages aux urgences cette année.`,
    (r) => `Dernier bilan sanguin il y a ${int(r, 2, 30)} mois, résultats non apportés.`,
    (r) =>
      `Rapporte ${pick(r, ['avoir arrêté', 'avoir diminué', 'avoir repris', 'ne plus prendre'])} ${pick(r, DRUG)[0]} ${pick(r, ['faute d’ordonnance', 'par crainte des effets indésirables', 'sur conseil du pharmacien', 'depuis son hospitalisation'])}.`,
    (r) =>
      `${cap(pick(r, ['la douleur', 'la gêne', 'la toux', 'la fatigue']))} est cotée à ${int(r, 2, 9)}/10, ${pick(r, MODIFIER)}.`,
    (r) =>
      `Vient ${pick(r, ['à pied', 'en transport solidaire', 'conduit par un voisin', 'avec son aide à domicile'])} ; ${pick(r, CONTEXT)}.`,
  ],
  objective: [
    (r) => `Examen ${pick(r, SITE)} ${pick(r, FINDING)}.`,
    (r) =>
      `TA ${int(r, 105, 175)}/${int(r, 58, 100)} mmHg au bras ${pick(r, ['droit', 'gauche'])}, FC ${int(r, 52, 110)}/min.`,
    (r) => `Poids ${int(r, 45, 120)} kg, IMC ${int(r, 18, 38)},${int(r, 0, 9)}.`,
    (r) =>
      `Température ${int(r, 36, 38)},${int(r, 0, 9)} °C, SpO2 ${int(r, 92, 100)} % en air ambiant.`,
    (r) => `À l’examen ${pick(r, SITE)}, ${pick(r, FINDING)}.`,
    (r) =>
      `Glycémie capillaire ${int(r, 8, 25) / 10} g/l ${pick(r, ['à jeun', 'post-prandiale'])}.`,
    (r) =>
      `Palpation ${pick(r, ['de la fosse iliaque droite', 'lombaire', 'de l’épaule', 'du mollet', 'épigastrique'])} ${pick(r, ['indolore', 'douloureuse', 'sensible sans défense'])}, ${pick(r, FINDING)}.`,
    (r) =>
      `Pouls pédieux ${pick(r, ['perçus', 'faiblement perçus', 'symétriques'])}, ${pick(r, ['pas de souffle carotidien', 'réflexes ostéo-tendineux présents', 'pas de déficit moteur', 'marche sans boiterie'])}.`,
  ],
  assessment: [
    (r) => `Tableau compatible avec ${pick(r, DIAGNOSIS)}.`,
    (r) =>
      `Au total, ${pick(r, DIAGNOSIS)} ${pick(r, ['sans signe de gravité', 'à surveiller', 'chez un patient fragile', 'bien toléré'])}.`,
    (r) => `Diagnostic différentiel : ${pick(r, DIAGNOSIS)}, jugé peu probable.`,
    (r) =>
      `Évolution ${pick(r, ['favorable', 'lente', 'stationnaire', 'défavorable'])} depuis ${pick(r, ['la dernière escale', 'le dernier bilan', 'l’introduction du traitement'])}, ${pick(r, HISTORY)} ${pick(r, ['stable', 'à réévaluer', 'mal équilibré'])}.`,
    (r) => `Facteurs de risque : ${pick(r, HISTORY)}, ${pick(r, CONTEXT).replace(/^est /, '')}.`,
  ],
  plan: [
    (r) => `${cap(pick(r, PLAN))} ; réévaluation ${pick(r, WHEN)}.`,
    (r) => {
      const [d, dose] = pick(r, DRUG);
      return `Prescription de ${d} ${dose} pendant ${int(r, 5, 30)} jours.`;
    },
    (r) => `${cap(pick(r, PLAN))}.`,
    (r) => `Revoir ${pick(r, WHEN)} avec les résultats.`,
    (r) =>
      `Informé des signes qui doivent faire consulter : ${pick(r, ['fièvre persistante', 'douleur thoracique', 'essoufflement au repos', 'saignement', 'malaise'])} ou ${pick(r, ['aggravation de la douleur', 'vomissements', 'confusion', 'jambe rouge et chaude'])}.`,
    (r) =>
      `Arrêt de travail de ${int(r, 2, 10)} jours ${pick(r, ['proposé et accepté', 'refusé par le patient', 'non nécessaire'])} ; ${pick(r, PLAN)}.`,
  ],
};

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A note section of about `chars` characters (whole sentences, cut at `chars`). */
export function clinicalText(r: Rand, section: keyof typeof SENTENCES, chars: number): string {
  // Each template once per note, in a shuffled order, as a clinician writes each point once.
  const order = [...SENTENCES[section]];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let out = '';
  for (let i = 0; out.length < chars; i++) {
    out += `${order[i % order.length]!(r)} `;
  }
  return out.trim().slice(0, chars);
}

/** A motif of a visit as reception types it: short. */
export function motif(r: Rand): string {
  return cap(`${pick(r, COMPLAINT)} ${pick(r, DURATION)}`).slice(0, 60);
}
