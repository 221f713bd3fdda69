// Importing the previous software's patient list (docs/guide/coordination.md, decision 0012): a CSV
// file chosen, its columns mapped, every line checked with reception's rules (progress shown), a
// report of what will be imported, refused and flagged, then the import in batches (progress
// shown). Loaded on demand: the reader and the planner stay out of the first bundle.
import { useEffect, useRef, useState } from 'react';
import { importStamp, writeImport } from '../../device/patient-import';
import type { Patient } from '../../domain/entities';
import {
  type ColumnMapping,
  type CsvTable,
  guessMapping,
  IMPORT_FIELDS,
  type ImportField,
  type ImportPlan,
  ImportPlanner,
  missingFields,
  patientsToImport,
  REQUIRED_IMPORT_FIELDS,
  readCsv,
} from '../../domain/patient-import';
import { useDb } from '../data/device-data';
import { useWriter } from '../data/writer';
import { SelectField } from '../forms/fields';
import { formatBirthDate, t, tn } from '../i18n';
import { useUiStore } from '../state/ui-store';
import type { OrgRows } from './coordination-data';

/** Lines checked between two repaints of the progress bar. */
const SLICE = 250;

type Stage =
  | { kind: 'choose' }
  | { kind: 'mapping'; name: string; table: CsvTable; mapping: ColumnMapping }
  | { kind: 'checking'; name: string; done: number; total: number }
  | { kind: 'report'; name: string; plan: ImportPlan }
  | { kind: 'writing'; plan: ImportPlan; done: number; total: number }
  | { kind: 'finished'; written: number; skipped: number }
  | { kind: 'failed'; plan: ImportPlan; reason: string };

/** The file's bytes (FileReader: every browser, and the test DOM, has it). */
function bytesOf(file: File): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error ?? new Error(file.name));
    reader.readAsArrayBuffer(file);
  });
}

const nextFrame = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function Progress({
  label,
  done,
  total,
  text,
}: {
  label: string;
  done: number;
  total: number;
  text: string;
}) {
  return (
    <div className="stack">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done}
        aria-valuetext={text}
        className="progress"
      >
        <div className="progress__bar" style={{ width: `${total ? (100 * done) / total : 0}%` }} />
      </div>
      <p aria-live="polite">{text}</p>
    </div>
  );
}

const birth = (iso: string) => formatBirthDate(`${iso}T12:00:00Z`);
const nameOf = (p: Pick<Patient, 'birthName' | 'firstNames'>) => `${p.birthName} ${p.firstNames}`;

export default function ImportPage({ rows, today }: { rows: OrgRows; today: string }) {
  const db = useDb();
  const write = useWriter();
  const staffId = useUiStore((s) => s.staffId);
  const [stage, setStage] = useState<Stage>({ kind: 'choose' });
  const [failure, setFailure] = useState<string | null>(null);
  const [chosen, setChosen] = useState<ReadonlySet<number>>(new Set());
  // A long check stops when the screen is left.
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const known = new Map(rows.patients.map((p) => [p.id, p]));
  const orgId = rows.staff[0]?.orgId ?? rows.rooms[0]?.orgId ?? '';

  const choose = async (file: File | undefined) => {
    setFailure(null);
    if (!file) return;
    try {
      const table = readCsv(await bytesOf(file));
      if (table.rows.length === 0) {
        setFailure(t('patientImport.empty'));
        return;
      }
      setStage({ kind: 'mapping', name: file.name, table, mapping: guessMapping(table.headers) });
    } catch (e) {
      setFailure(t('patientImport.unreadable', { reason: (e as Error).message }));
    }
  };

  const check = async (name: string, table: CsvTable, mapping: ColumnMapping) => {
    const stamp = importStamp();
    const planner = new ImportPlanner(table.rows, mapping, {
      orgId,
      today,
      now: stamp.now,
      registry: rows.patients.filter((p) => !p.mergedInto),
      newId: stamp.newId,
    });
    setStage({ kind: 'checking', name, done: 0, total: planner.total });
    while (!planner.step(SLICE)) {
      setStage({ kind: 'checking', name, done: planner.done, total: planner.total });
      await nextFrame();
      if (!alive.current) return;
    }
    setChosen(new Set());
    setStage({ kind: 'report', name, plan: planner.result() });
  };

  const run = async (plan: ImportPlan) => {
    if (!db) return;
    const patients = patientsToImport(plan, chosen, staffId);
    setStage({ kind: 'writing', plan, done: 0, total: patients.length });
    try {
      const result = await writeImport(db, write, patients, {
        onProgress: (p) => {
          if (alive.current) setStage({ kind: 'writing', plan, done: p.done, total: p.total });
        },
      });
      if (alive.current) setStage({ kind: 'finished', ...result });
    } catch (e) {
      setStage({ kind: 'failed', plan, reason: (e as Error).message });
    }
  };

  return (
    <div className="stack">
      <h2>{t('patientImport.title')}</h2>
      <p>{t('patientImport.intro')}</p>
      {stage.kind === 'choose' || stage.kind === 'mapping' ? (
        <div className="field import-file">
          <label htmlFor="import-file">{t('patientImport.file')}</label>
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            aria-describedby="import-file-hint"
            onChange={(e) => void choose(e.target.files?.[0])}
          />
          <span className="field__hint" id="import-file-hint">
            {t('patientImport.fileHint')}
          </span>
        </div>
      ) : null}
      {failure ? (
        <p role="alert" className="notice notice--error">
          {failure}
        </p>
      ) : null}
      {stage.kind === 'mapping' ? (
        <MappingForm
          name={stage.name}
          table={stage.table}
          mapping={stage.mapping}
          onChange={(mapping) => setStage({ ...stage, mapping })}
          onCheck={() => void check(stage.name, stage.table, stage.mapping)}
        />
      ) : null}
      {stage.kind === 'checking' ? (
        <Progress
          label={t('patientImport.checking')}
          done={stage.done}
          total={stage.total}
          text={t('patientImport.checkingProgress', { done: stage.done, total: stage.total })}
        />
      ) : null}
      {stage.kind === 'report' ? (
        <Report
          plan={stage.plan}
          known={known}
          chosen={chosen}
          onChoose={(line, on) => {
            const next = new Set(chosen);
            if (on) next.add(line);
            else next.delete(line);
            setChosen(next);
          }}
          onImport={() => void run(stage.plan)}
        />
      ) : null}
      {stage.kind === 'writing' ? (
        <Progress
          label={t('patientImport.writing')}
          done={stage.done}
          total={stage.total}
          text={t('patientImport.writingProgress', { done: stage.done, total: stage.total })}
        />
      ) : null}
      {stage.kind === 'failed' ? (
        <div className="stack">
          <p role="alert" className="notice notice--error">
            {t('patientImport.failed', { reason: stage.reason })}
          </p>
          <button
            type="button"
            className="button button--primary"
            onClick={() => void run(stage.plan)}
          >
            {t('patientImport.retry')}
          </button>
        </div>
      ) : null}
      {stage.kind === 'finished' ? (
        <div className="stack">
          <p role="status" className="notice notice--success">
            {tn('patientImport.finished', stage.written)}
            {stage.skipped > 0 ? ` ${tn('patientImport.resumed', stage.skipped)}` : null}
          </p>
          <button type="button" className="button" onClick={() => setStage({ kind: 'choose' })}>
            {t('patientImport.another')}
          </button>
        </div>
      ) : null}
    </div>
  );
}

function MappingForm({
  name,
  table,
  mapping,
  onChange,
  onCheck,
}: {
  name: string;
  table: CsvTable;
  mapping: ColumnMapping;
  onChange(mapping: ColumnMapping): void;
  onCheck(): void;
}) {
  const missing = missingFields(mapping);
  const first = table.rows[0] ?? [];
  const options = [
    { value: '', label: t('patientImport.noColumn') },
    ...table.headers.map((h, i) => ({ value: String(i), label: h || String(i + 1) })),
  ];
  const exampleOf = (field: ImportField) => {
    const i = mapping[field];
    if (i === null) return undefined;
    const value = (first[i] ?? '').trim();
    return value ? t('patientImport.example', { value }) : t('patientImport.exampleEmpty');
  };
  return (
    <section className="panel stack" aria-labelledby="import-mapping-title">
      <p role="status">
        {tn('patientImport.fileSummary', table.rows.length, {
          name,
          encoding: t(`patientImport.encodings.${table.encoding}`),
          separator: table.separator,
        })}
      </p>
      <h3 id="import-mapping-title">{t('patientImport.mappingTitle')}</h3>
      <p>{t('patientImport.mappingIntro')}</p>
      <div className="form-grid">
        {IMPORT_FIELDS.map((field) => (
          <SelectField
            key={field}
            label={t(`patientImport.fields.${field}`)}
            value={mapping[field] === null ? '' : String(mapping[field])}
            required={REQUIRED_IMPORT_FIELDS.includes(field)}
            hint={exampleOf(field)}
            options={options}
            onChange={(v) => onChange({ ...mapping, [field]: v === '' ? null : Number(v) })}
          />
        ))}
      </div>
      {missing.length > 0 ? (
        <p className="notice notice--error" id="import-missing">
          {t('patientImport.missing', {
            fields: missing.map((f) => t(`patientImport.fields.${f}`)).join(', '),
          })}
        </p>
      ) : null}
      <button
        type="button"
        className="button button--primary"
        disabled={missing.length > 0}
        aria-describedby={missing.length > 0 ? 'import-missing' : undefined}
        onClick={onCheck}
      >
        {t('patientImport.check')}
      </button>
    </section>
  );
}

function Report({
  plan,
  known,
  chosen,
  onChoose,
  onImport,
}: {
  plan: ImportPlan;
  known: ReadonlyMap<string, Patient>;
  chosen: ReadonlySet<number>;
  onChoose(line: number, on: boolean): void;
  onImport(): void;
}) {
  const refused = plan.outcomes.filter((o) => o.kind === 'refused');
  const flagged = plan.outcomes.filter((o) => o.kind === 'duplicate');
  const count = plan.accepted + chosen.size;
  return (
    <section className="stack" aria-labelledby="import-report-title">
      <h3 id="import-report-title">{t('patientImport.reportTitle')}</h3>
      <div role="status">
        <ul className="plain-list">
          <li>{tn('patientImport.accepted', plan.accepted)}</li>
          <li>{tn('patientImport.refused', plan.refused)}</li>
          <li>{tn('patientImport.duplicates', plan.duplicates)}</li>
        </ul>
      </div>
      <button
        type="button"
        className="button button--primary"
        disabled={count === 0}
        onClick={onImport}
      >
        {count === 0 ? t('patientImport.nothing') : tn('patientImport.start', count)}
      </button>
      {refused.length > 0 ? (
        <section className="stack" aria-labelledby="import-refused-title">
          <h4 id="import-refused-title">{t('patientImport.refusedTitle')}</h4>
          <p>{t('patientImport.refusedIntro')}</p>
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t('patientImport.columns.line')}</th>
                  <th scope="col">{t('patientImport.columns.reasons')}</th>
                </tr>
              </thead>
              <tbody>
                {refused.map((o) => (
                  <tr key={o.line}>
                    <th scope="row">{o.line}</th>
                    <td>
                      {o.kind === 'refused' ? o.reasons.map((r) => <div key={r}>{r}</div>) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
      {flagged.length > 0 ? (
        <section className="stack" aria-labelledby="import-duplicates-title">
          <h4 id="import-duplicates-title">{t('patientImport.duplicatesTitle')}</h4>
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t('patientImport.columns.line')}</th>
                  <th scope="col">{t('patientImport.columns.patient')}</th>
                  <th scope="col">{t('patientImport.columns.like')}</th>
                  <th scope="col">{t('patientImport.columns.import')}</th>
                </tr>
              </thead>
              <tbody>
                {flagged.map((o) =>
                  o.kind === 'duplicate' ? (
                    <tr key={o.line}>
                      <th scope="row">{o.line}</th>
                      <td>
                        {t('patientImport.patientLine', {
                          name: nameOf(o.patient),
                          birthDate: birth(o.patient.birthDate),
                        })}
                      </td>
                      <td>
                        {o.of.map((d) => {
                          const p = known.get(d.patientId);
                          const text =
                            d.line !== null
                              ? t('patientImport.likeLine', { line: d.line })
                              : p
                                ? t('patientImport.likeKnown', {
                                    name: nameOf(p),
                                    birthDate: birth(p.birthDate),
                                  })
                                : t('patientImport.likeLine', { line: '?' });
                          return (
                            <div key={d.patientId}>
                              {text} — {d.reasons.map((r) => r.message).join(', ')}
                            </div>
                          );
                        })}
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          className="touch-checkbox"
                          aria-label={t('patientImport.importAnyway', { line: o.line })}
                          checked={chosen.has(o.line)}
                          onChange={(e) => onChoose(o.line, e.target.checked)}
                        />
                      </td>
                    </tr>
                  ) : null,
                )}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </section>
  );
}
