/**
 * A corpus of realistic and adversarial library names, branches, titles and messages (diacritics,
 * curly quotes, dashes, non-breaking spaces, emoji, CJK, right-to-left text, Turkish, Vietnamese,
 * empty, 1,000 characters), shared by the notice tests and the benchmark.
 */
import type { ComposeContext } from '#shared/notices/compose.ts';
import type { ComposableNotice, NoticeKind } from '#shared/notices/noticeKinds.ts';

export const LIBRARIES = [
  { name: 'Riverside Public Library', shortName: 'Riverside Library' },
  { name: 'Biblioteca Pública Municipal de San José del Río', shortName: 'Bibl. San José' },
  { name: 'The Very Long Name Memorial Free Public Library and Reading Room of Upper Hudson', shortName: 'Upper Hudson Library' },
  { name: 'Ærø Øresund Bibliotek', shortName: 'Ærø Bibliotek' },
];
export const BRANCHES = [
  'Main Library',
  'Bibliothèque Saint-Étienne',
  'North Branch — Lower Level (Children’s Room)',
  'Łódź Café Corner',
  '中央図書館',
  'مكتبة الحي 🏛️',
  'Şişli Şubesi',
  'Chi nhánh Đống Đa',
  '“Annex”\u00a0– 2nd floor…',
];
export const TITLES = [
  'Cien años de soledad',
  '“Don’t Let the Pigeon Drive the Bus!”',
  'The Hitchhiker’s Guide to the Galaxy 🚀🌌',
  'Ἰλιάς — The Iliad (Greek–English bilingual edition), with commentary, notes, maps, and an extended glossary of names and places',
  '数学の基礎',
  'Ça ira : l’été où tout a basculé…',
  // Adversarial: all emoji, right-to-left, Turkish, Vietnamese, quotes and dots, spaces, empty, 1,000 characters.
  '📚✨🐉',
  'ספר הדקדוק — كتاب القواعد',
  'Kırmızı Işık: Iğdır’dan İstanbul’a',
  'Nỗi buồn chiến tranh',
  '"“‘Quoted’”" ... and.. dotted...',
  'Line one\nLine two\r\n\tTabbed\u00a0non\u2009breaking\u202fspaces\u200b',
  '',
  `${'A'.repeat(400)} ${'Ж'.repeat(300)} ${'漢'.repeat(299)}`,
];
export const MESSAGES = [
  {
    en: 'All branches close at 5 pm on Nov 26 for Thanksgiving.',
    es: 'Todas las sucursales cierran a las 5 pm el 26 de nov. por Acción de Gracias.',
  },
  {
    en: 'Starting December 1, the Main Library’s parking lot will be closed for repaving — please use the municipal garage on Elm St. (entrance on 3rd Ave) 🚗; validation available at the desk.',
  },
  // Adversarial: emoji around words, CJK, right-to-left, newlines, quotes and dots, Turkish, Vietnamese, 1,000 characters.
  { en: '🎉🎉 Story time is back!! 🎉🎉', es: '🎉 ¡Vuelve la hora del cuento! 🎉' },
  { en: '図書館は月曜日に休館します。', es: 'המספרייה סגורה ביום שני — المكتبة مغلقة' },
  { en: 'Closed Monday.\nOpen Tuesday…\r\n"Thanks"..', es: 'Cerrado el lunes..\n“Gracias”' },
  { en: 'Iğdır ve Kırıkkale şubeleri kapalı.', es: 'Thư viện đóng cửa vào thứ Hai.' },
  { en: `${'Very long notice. '.repeat(55)}`.slice(0, 1000) },
];

export const POLICY_SUMMARY = {
  en: 'Notice logs are now kept 30 days instead of 90.',
  es: 'Los registros de avisos se guardan ahora 30 días en lugar de 90.',
};

/**
 * A request of `kind` about `title` (hold, loans, fine) with `message` as its service update (and, when
 * `summary` is given, as its policy summary).
 */
export function corpusRequest(
  kind: NoticeKind,
  title: string,
  items = 1,
  message: { en: string; es?: string } = MESSAGES[0]!,
  summary: { en: string; es?: string } = POLICY_SUMMARY,
): ComposableNotice {
  const base = { type: 'notice' as const, patronId: 'P-1', subjectId: 'S-1', subjectVersion: '1', causationId: 'e-1' };
  switch (kind) {
    case 'hold-ready':
    case 'hold-expiring':
      return { ...base, kind, hold: { title, pickupBranch: 'branch-0', pickupBy: '2026-12-01T22:00:00Z' } };
    case 'due-soon':
    case 'overdue':
      return {
        ...base,
        kind,
        items: Array.from({ length: items }, (_, index) => ({ loanId: `L-${index}`, title, dueAt: '2026-12-02T04:59:00Z' })),
      };
    case 'fine-assessed':
      return { ...base, kind, fine: { amount: '12.75', currency: 'USD', reason: `Damaged: ${title}` } };
    case 'service-update':
      return { ...base, kind, message };
    case 'policy-update':
      return { ...base, kind, policy: { policyVersion: '2026-12', summary } };
    case 'sms-opt-in':
      return { ...base, kind };
    case 'renewal-reply':
      return { ...base, kind, reply: { text: `Riverside Library: Renewed 2, due Tue Dec 8. Not renewed 1 (someone is waiting for it).` } };
  }
}

export function corpusContext(
  language: 'en' | 'es',
  library: (typeof LIBRARIES)[number],
  smsIncludesTitles: boolean,
  branch: string,
): ComposeContext {
  return {
    language,
    branding: { ...library, libraryId: 'lib', senderEmail: 'notices@example.org', supportPhone: '+18455550111' },
    timeZone: 'America/New_York',
    smsIncludesTitles,
    branchName: () => branch,
    unsubscribeUrl: `https://unsubscribe.bookdrop.test/unsubscribe?token=t&lang=${language}`,
  };
}

/**
 * Every corpus case: each kind, language, title setting, library and title (with 1 to 4 items); the
 * title's index also picks the branch, and the service update and policy summary.
 */
export function* corpusCases(
  kinds: readonly NoticeKind[],
): Generator<{ kind: NoticeKind; language: 'en' | 'es'; request: ComposableNotice; context: ComposeContext }> {
  for (const kind of kinds) {
    for (const language of ['en', 'es'] as const) {
      for (const smsIncludesTitles of [false, true]) {
        for (const library of LIBRARIES) {
          for (const [index, title] of TITLES.entries()) {
            yield {
              kind,
              language,
              request: corpusRequest(kind, title, 1 + (index % 4), MESSAGES[index % MESSAGES.length], MESSAGES[index % MESSAGES.length]),
              context: corpusContext(language, library, smsIncludesTitles, BRANCHES[index % BRANCHES.length]!),
            };
          }
        }
      }
    }
  }
}
