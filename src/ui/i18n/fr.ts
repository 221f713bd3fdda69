// Every string of the interface, in French (docs/design.md §3 for the vocabulary). Components never
// hold text: they call t('section.key'). Placeholders are written {name}; plural groups hold
// `one` (0 and 1 in French) and `other`.
// This is what every screen needs (the shell, reception, the display); the parts only the room,
// coordination and supervision screens use are in fr-screens.ts, loaded with those screens.
import { display } from './fr/display';
import { feedback } from './fr/feedback';
import { identity } from './fr/identity';
import { survey } from './fr/indicators';
import { patientCopy } from './fr/patient-copy';
import { reading } from './fr/reading';
import { reception } from './fr/reception';
import { room } from './fr/room';

export const fr = {
  app: {
    name: 'Escale',
    fullName: 'Escale — médicobus',
    loading: 'Chargement…',
    pageTitle: '{page} — Escale',
  },
  shell: {
    skipLink: 'Aller au contenu principal',
    navLabel: 'Navigation principale',
    changeProfile: 'Changer de profil',
    supervision: 'Supervision',
    deviceHealth: 'État de l’appareil',
    profileLabel: 'Profil : {profile}',
    noProfile: 'Aucun profil choisi',
    homeLink: 'Escale, choix du profil',
    homeLinkEnrolled: 'Escale, écran d’accueil de l’appareil',
    otherProfileTitle: 'Écran réservé à un autre appareil',
    enrolledFor: {
      reception: 'Cet appareil est enrôlé pour l’accueil : cet écran n’est pas disponible ici.',
      room: 'Cet appareil est enrôlé pour une salle de consultation : cet écran n’est pas disponible ici.',
      roomNamed:
        'Cet appareil est enrôlé pour la salle « {room} » : cet écran n’est pas disponible ici.',
      coordination:
        'Cet appareil est enrôlé pour la coordination : cet écran n’est pas disponible ici.',
      display:
        'Cet appareil est enrôlé pour l’écran de la salle d’attente : cet écran n’est pas disponible ici.',
    },
    otherProfileHint:
      'Un appareil enrôlé ne joue que son profil. Pour un autre usage, la coordination enrôle un autre appareil.',
    goToOwn: 'Aller à l’écran de cet appareil : {profile}',
  },
  profiles: {
    reception: 'Accueil',
    room: 'Salle',
    roomNamed: 'Salle : {room}',
    coordination: 'Coordination',
    display: 'Affichage',
  },
  profileHints: {
    reception: 'Tablette d’accueil : escale du jour, planning des salles, rendez-vous.',
    room: 'Box ou salle de consultation : la file d’attente de la salle.',
    coordination: 'Médecin coordinateur : les salles en direct et l’attente.',
    display: 'Écran de la salle d’attente : tickets appelés et en attente, sans nom.',
  },
  home: {
    title: 'Quel est le rôle de cet appareil ?',
    intro: 'Ce choix est gardé sur cet appareil. Il peut être changé à tout moment.',
    resume: 'Reprendre : {profile}',
    chooseRoom: 'Quelle salle ?',
    noRooms: 'Aucune salle n’est encore connue sur cet appareil.',
    deviceHealthHint: 'Stockage, versions, synchronisation et mode hors ligne.',
    enrolledTitle: 'Cet appareil : {name}',
    enrolledIntro: 'Enrôlé par {org} pour : {profile}.',
    enrolledHint:
      'Un appareil enrôlé ne joue que ce profil. Pour un autre usage, la coordination enrôle un autre appareil.',
    open: 'Ouvrir : {profile}',
  },
  join: {
    title: 'Enrôler cet appareil',
    intro:
      'Avant le premier usage, saisissez le code d’enrôlement donné par la coordination (valable 15 minutes, une seule fois). L’appareil reçoit ensuite les données de son profil et fonctionne hors ligne.',
    code: 'Code d’enrôlement',
    codeHint:
      '8 lettres ou chiffres, par exemple K7M2 Q9XD. Majuscules, espaces et tirets ne comptent pas.',
    badCode: 'Le code compte 8 lettres ou chiffres : vérifiez-le auprès de la coordination.',
    relay: 'Relais du camion (facultatif)',
    relayHint:
      'Adresse du serveur relais sur le Wi-Fi du camion, par exemple https://relais.escale.local',
    submit: 'Enrôler cet appareil',
    submitting: 'Enrôlement en cours…',
    badRelay: 'L’adresse du relais n’est pas une adresse web valide.',
  },
  rejoin: {
    title: 'Cet appareil doit être enrôlé à nouveau',
    text: 'Le serveur ne reconnaît plus cet appareil (le serveur central a sans doute été restauré depuis une sauvegarde antérieure à son enrôlement). Demandez un code d’enrôlement à la coordination et saisissez-le ici : l’appareil garde tout ce qu’il contient, et ses modifications non envoyées partiront dès qu’il sera reconnu.',
    submit: 'Enrôler à nouveau',
  },
  sync: {
    label: 'Synchronisation',
    unknown: 'Synchronisation : état inconnu',
    synced: 'Synchronisé',
    relayed: 'Synchronisé avec le relais du camion',
    awaitingCentral: {
      one: '{count} modification en attente du serveur central',
      other: '{count} modifications en attente du serveur central',
    },
    syncing: 'Synchronisation en cours…',
    offline: 'Hors ligne',
    error: 'Erreur de synchronisation',
    neverSynced: 'Jamais synchronisé',
    updateRequired: 'Mise à jour de l’application requise pour synchroniser',
    pending: {
      one: '{count} modification en attente',
      other: '{count} modifications en attente',
    },
    awaitingUnlock: {
      one: '{count} modification en attente : déverrouillez l’appareil pour l’envoyer',
      other: '{count} modifications en attente : déverrouillez l’appareil pour les envoyer',
    },
    pullLabel: 'Réception des données de l’organisation',
    received: {
      one: '{count} modification reçue (page {pages})',
      other: '{count} modifications reçues (page {pages})',
    },
    usable:
      'Les données du jour sont arrivées : l’appareil est utilisable. Le registre des patients et l’historique sont encore en cours de chargement.',
  },
  lock: {
    title: 'Appareil verrouillé',
    intro: 'Les données des patients sont masquées. Choisissez votre nom et saisissez votre code.',
    who: 'Qui êtes-vous ?',
    pin: 'Code personnel',
    unlock: 'Déverrouiller',
    wrong: {
      one: 'Code incorrect : encore {count} essai avant un blocage temporaire.',
      other: 'Code incorrect : encore {count} essais avant un blocage temporaire.',
    },
    lockedOut: 'Trop d’essais : les codes sont refusés jusqu’à {time}.',
    dataLocked:
      'Ce code ne déverrouille pas les données cliniques de cet appareil : choisissez « Je n’ai pas encore de code PIN sur cet appareil » et reconnectez-vous avec votre mot de passe.',
    noPin: 'Cette personne n’a pas de code sur cet appareil.',
    lockNow: 'Verrouiller',
    setup: 'Créer mon code',
    setupTitle: 'Votre code de verrouillage',
    setupIntro:
      'Ce code déverrouille l’appareil pour vous, même hors ligne. Il n’est gardé que sous forme d’empreinte sur cet appareil.',
    newPin: 'Nouveau code (4 à 8 chiffres)',
    confirmPin: 'Confirmez le code',
    idle: 'Verrouillage automatique après (minutes sans activité)',
    idleHint: '0 : jamais. Par défaut : accueil 3, salles 5, coordination 10.',
    badIdle: 'Indiquez un nombre de minutes entre 0 et 240.',
    savePin: 'Enregistrer le code',
    cancel: 'Annuler',
    back: 'Retour',
    chooseFirst: 'Choisissez d’abord votre nom (« Qui travaille ici ? »).',
    noPinYet: 'Je n’ai pas encore de code PIN sur cet appareil',
    signInTitle: 'Connexion à cet appareil',
    signInIntro:
      'Cet appareil est enrôlé : identifiez-vous une fois avec votre mot de passe Escale (réseau nécessaire), puis créez votre code PIN pour les déverrouillages suivants, même hors ligne.',
    password: 'Mot de passe',
    signIn: 'Se connecter',
    signingIn: 'Connexion en cours…',
    missingPassword: 'Saisissez votre mot de passe.',
    chooseYourself: 'Choisissez votre nom.',
    noStaff:
      'L’équipe n’est pas encore arrivée sur cet appareil : patientez pendant la synchronisation, puis réessayez.',
    noPassword:
      'Pas encore de mot de passe ? Demandez à la coordination de le définir (Coordination, Équipe et salles).',
    signedIn: 'Bonjour {name}. Créez maintenant votre code PIN sur cet appareil.',
    sessionRequired:
      '{name} doit se reconnecter avec son mot de passe sur cet appareil : les modifications faites à son nom y restent en attente jusque-là.',
    signInAgain: 'Se reconnecter',
    problems: {
      format: 'Le code compte 4 à 8 chiffres.',
      trivial: 'Code trop simple : évitez les chiffres identiques ou qui se suivent.',
      mismatch: 'Les deux codes saisis ne sont pas identiques.',
    },
  },
  update: {
    available: 'Nouvelle version disponible',
    apply: 'Mettre à jour',
    waitingForForms:
      'La mise à jour s’appliquera dès que les saisies en cours seront enregistrées ou fermées.',
  },
  errors: {
    screenTitle: 'Cet écran n’a pas pu s’afficher.',
    screenBody:
      'Les données enregistrées sur l’appareil ne sont pas perdues. Rechargez la page pour réessayer.',
    reload: 'Recharger la page',
    notFoundTitle: 'Page introuvable',
    notFoundBody: 'Cette adresse ne correspond à aucun écran d’Escale.',
    backHome: 'Revenir au choix du profil',
    noDatabase:
      'La base de données locale n’a pas pu être ouverte. Vérifiez que le navigateur autorise le stockage pour Escale (pas de navigation privée), puis rechargez la page.',
    deviceNotConnected:
      'Cet appareil n’est pas encore relié à une organisation : connectez-le depuis l’accueil d’Escale avant d’enregistrer.',
  },
  day: {
    noStopToday: 'Aucune escale prévue aujourd’hui sur cet appareil.',
    stopTitle: 'Escale du jour : {commune}',
    stopDetails: '{date}, {address}, de {opens} à {closes}',
    stopStatus: {
      planned: 'prévue',
      open: 'ouverte',
      closed: 'clôturée',
      cancelled: 'annulée',
    },
    stopStatusLabel: 'Statut : {status}',
    timeRange: '{start} – {end}',
    none: '—',
    estimate: {
      noSlotToday: 'pas de créneau aujourd’hui',
      next: 'dès que la salle se libère',
      minutes: 'environ {minutes} min',
    },
    unknownPatient: 'Patient non encore synchronisé',
    unknownService: 'Service inconnu',
    contradictionGlyph: '!',
    contradictionMarker:
      'Contradiction à vérifier : deux appareils ont enregistré des faits incompatibles pour ce patient (la coordination tranche)',
  },
  queueStatus: {
    waiting: 'en attente',
    called: 'appelé',
    in_consultation: 'en consultation',
    done: 'terminé',
    no_show: 'absent',
    left: 'parti sans être vu',
    cancelled: 'annulé',
  },
  appointmentStatus: {
    booked: 'prévu',
    checked_in: 'arrivé',
    no_show: 'absent',
    cancelled: 'annulé',
  },
  reception,
  identity,
  room,
  patientCopy,
  survey,
  display,
  feedback,
  reading,
  deviceHealth: {
    title: 'État de l’appareil',
    storageTitle: 'Stockage',
    persisted: 'Stockage persistant',
    persistedYes: 'Oui : le navigateur ne videra pas les données d’Escale.',
    persistedNo:
      'Non : le navigateur peut effacer les données d’Escale s’il manque de place. Installez l’application sur l’écran d’accueil puis demandez la persistance.',
    persistedUnknown: 'Inconnu : ce navigateur ne le dit pas.',
    requestPersistence: 'Demander un stockage persistant',
    persistenceGranted: 'Le stockage est désormais persistant.',
    persistenceRefused:
      'Le navigateur a refusé pour l’instant. Installez l’application sur l’écran d’accueil puis réessayez.',
    storageUnsupported: 'Ce navigateur ne donne aucune information sur le stockage.',
    usage: 'Espace utilisé',
    usageValue: '{usage} sur {quota} ({percent} %)',
    usageUnknown: 'Inconnu',
    quotaWarning:
      'Attention : plus de 80 % de l’espace de stockage est utilisé. Synchronisez puis faites la clôture de journée pour libérer de la place.',
    versionsTitle: 'Versions',
    appVersion: 'Version de l’application',
    schemaVersion: 'Version du schéma de données',
    unknownVersion: 'inconnue',
    deviceTitle: 'Appareil',
    deviceId: 'Identifiant de l’appareil',
    deviceIdUnknown: 'pas encore attribué',
    database: 'Base locale',
    databaseOk: 'ouverte',
    syncTitle: 'Synchronisation',
    pendingOps: 'Modifications en attente d’envoi',
    awaitingCentral: 'Dont déjà sur le relais du camion, en attente du serveur central',
    setAside: {
      one: '{count} modification refusée par le serveur est gardée à part sur cet appareil : elle n’est plus envoyée et ne bloque rien. Signalez-la à la coordination.',
      other:
        '{count} modifications refusées par le serveur sont gardées à part sur cet appareil : elles ne sont plus envoyées et ne bloquent rien. Signalez-les à la coordination.',
    },
    setAsideLine: 'Refusée le {at} : {reason}',
    lastSuccess: 'Dernière synchronisation réussie',
    lastAttempt: 'Dernière tentative',
    lastError: 'Dernière erreur',
    server: 'Serveur',
    pullProgress: 'Réception des données : {reached} sur {target}',
    noError: 'aucune',
    serverReached: 'Serveur joint',
    serverReachedYes: 'oui',
    serverReachedNo: 'non',
    never: 'jamais',
    syncUnavailable: 'La synchronisation n’est pas encore disponible sur cet appareil.',
    offlineTitle: 'Mode hors ligne',
    swReady: 'Prêt hors ligne : l’application s’ouvre sans réseau.',
    swPending: 'Pas encore prêt hors ligne : la mise en cache de l’application est en cours.',
    swUnsupported: 'Ce navigateur ne permet pas le fonctionnement hors ligne.',
    refresh: 'Actualiser',
  },
  units: {
    bytes: '{value} octets',
    kilobytes: '{value} Ko',
    megabytes: '{value} Mo',
    gigabytes: '{value} Go',
    terabytes: '{value} To',
  },
} as const;
