/**
 * A corpus of realistic and awkward library names, branches, titles and messages (diacritics, curly
 * quotes, emoji, other scripts, very long titles), shared by the notice tests and the benchmark.
 */
import type { ComposeContext } from '#shared/notices/compose.ts';
import type { NoticeKind, NoticeRequest } from '#shared/notices/noticeKinds.ts';

export const LIBRARIES = [
  { name: 'Riverside Public Library', shortName: 'Riverside Library' },
  { name: 'Biblioteca Pública Municipal de San José del Río', shortName: 'Bibl. San José' },
  { name: 'The Very Long Name Memorial Free Public Library and Reading Room of Upper Hudson', shortName: 'Upper Hudson Library' },
  { name: 'Ærø Øresund Bibliotek', shortName: 'Ærø Bibliotek' },
];
export const BRANCHES = ['Main Library', 'Bibliothèque Saint-Étienne', 'North Branch — Lower Level (Children’s Room)', 'Łódź Café Corner'];
export const TITLES = [
  'Cien años de soledad',
  '“Don’t Let the Pigeon Drive the Bus!”',
  'The Hitchhiker’s Guide to the Galaxy 🚀🌌',
  'Ἰλιάς — The Iliad (Greek–English bilingual edition), with commentary, notes, maps, and an extended glossary of names and places',
  '数学の基礎',
  'Ça ira : l’été où tout a basculé…',
];
export const MESSAGES = [
  { en: 'All branches close at 5 pm on Nov 26 for Thanksgiving.', es: 'Todas las sucursales cierran a las 5 pm el 26 de nov. por Acción de Gracias.' },
  {
    en: 'Starting December 1, the Main Library’s parking lot will be closed for repaving — please use the municipal garage on Elm St. (entrance on 3rd Ave) 🚗; validation available at the desk.',
  },
];

export function corpusRequest(kind: NoticeKind, title: string, items = 1): NoticeRequest {
  const base = { kind, patronId: 'P-1', subjectId: 'S-1', subjectVersion: '1', causationId: 'e-1' };
  return {
    ...base,
    hold: { title, pickupBranch: 'branch-0', pickupBy: '2026-12-01T22:00:00Z' },
    items: Array.from({ length: items }, (_, index) => ({ loanId: `L-${index}`, title, dueAt: '2026-12-02T04:59:00Z' })),
    fine: { amount: '12.75', currency: 'USD', reason: `Damaged: ${title}` },
    message: MESSAGES[title.length % MESSAGES.length]!,
    policy: { policyVersion: '2026-12', summary: { en: 'Notice logs are now kept 30 days instead of 90.', es: 'Los registros de avisos se guardan ahora 30 días en lugar de 90.' } },
  };
}

export function corpusContext(language: 'en' | 'es', library: (typeof LIBRARIES)[number], smsIncludesTitles: boolean, branch: string): ComposeContext {
  return {
    language,
    branding: { ...library, libraryId: 'lib', senderEmail: 'notices@example.org', supportPhone: '+18455550111' },
    timeZone: 'America/New_York',
    smsIncludesTitles,
    branchName: () => branch,
    unsubscribeUrl: `https://unsubscribe.bookdrop.test/unsubscribe?token=t&lang=${language}`,
  };
}


/** Every corpus case: each kind, language, title setting, library and title (with 1 to 4 items). */
export function* corpusCases(kinds: readonly NoticeKind[]): Generator<{ kind: NoticeKind; language: 'en' | 'es'; request: NoticeRequest; context: ComposeContext }> {
  for (const kind of kinds) {
    for (const language of ['en', 'es'] as const) {
      for (const smsIncludesTitles of [false, true]) {
        for (const library of LIBRARIES) {
          for (const [index, title] of TITLES.entries()) {
            yield {
              kind,
              language,
              request: corpusRequest(kind, title, 1 + (index % 4)),
              context: corpusContext(language, library, smsIncludesTitles, BRANCHES[index % BRANCHES.length]!),
            };
          }
        }
      }
    }
  }
}
