// A composed document (src/domain/documents.ts) as an A4 sheet: the preview on screen and, through
// the print stylesheet, the printed page. It shows the composition and nothing else.
import type { ComposedDocument } from '../../domain/documents';
import { PENDING_MARK } from '../../domain/documents';
import { t } from '../i18n';

export function DocumentSheet({ doc, id }: { doc: ComposedDocument; id?: string }) {
  return (
    <article className="document-sheet" aria-labelledby={id ? `${id}-title` : undefined}>
      <header className="document-sheet__header">
        <div>
          {doc.issuer.map((line, i) => (
            <p key={line} className={i === 0 ? 'document-sheet__issuer' : undefined}>
              {line}
            </p>
          ))}
        </div>
        <div className="document-sheet__author">
          {doc.author.map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
      </header>
      {doc.pendingValidation ? <p className="document-sheet__pending">{PENDING_MARK}</p> : null}
      <h3 id={id ? `${id}-title` : undefined} className="document-sheet__title">
        {doc.title}
      </h3>
      {doc.addressee ? <p className="document-sheet__addressee">{doc.addressee}</p> : null}
      <section className="document-sheet__patient" aria-label={t('documents.patientHeading')}>
        <dl>
          {doc.patient.map((l) => (
            <div key={l.label}>
              <dt>{l.label}</dt>
              <dd>{l.value}</dd>
            </div>
          ))}
        </dl>
      </section>
      {doc.sections.map((s) => (
        <section key={s.heading} className="document-sheet__section">
          <h4>{s.heading}</h4>
          {s.lines.map((line, i) => (
            // Lines of one section may repeat (two identical measures): their place keys them.
            // biome-ignore lint/suspicious/noArrayIndexKey: the lines are static text in order
            <p key={i}>{line}</p>
          ))}
        </section>
      ))}
      {doc.notices.map((n) => (
        <p key={n} className="document-sheet__notice">
          {n}
        </p>
      ))}
      <footer className="document-sheet__footer">
        <p>{doc.placeAndDate}</p>
        {doc.signatureLine ? (
          <p className="document-sheet__signature">{doc.signatureLine}</p>
        ) : null}
      </footer>
    </article>
  );
}
