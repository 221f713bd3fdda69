// Identity rules (docs/design.md §4.2, INS), one module per concern: the strict traits, which
// identity status may be set when, duplicate suspicion, and the reception search that must come
// before any creation. Pure: the caller passes today's date, the connectivity and the registry.
export * from './duplicates';
export * from './registry-delta';
export * from './search';
export * from './status';
export * from './traits';
export * from './types';
