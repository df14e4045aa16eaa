/**
 * Every notice kind in both languages, with and without titles in SMS, over a corpus of realistic
 * and adversarial titles, branches and service updates: every SMS is GSM-7 and one segment (by the
 * project's counter and by sms-segments-calculator), follows every text rule and carries the opt-out
 * instruction; email renders.
 */
import { describe, expect, it } from 'vitest';
import { SegmentedMessage } from 'sms-segments-calculator';
import { NoticeTextError } from '#shared/errors.ts';
import { composeNotice } from '#shared/notices/compose.ts';
import { gsm7Length, isGsm7, toGsm7 } from '#shared/notices/gsm7.ts';
import { NOTICE_CHANNELS, NOTICE_KINDS, QUIET_HOURS_RULES } from '#shared/notices/noticeKinds.ts';
import {
  BRANCHES,
  LIBRARIES,
  MESSAGES,
  TITLES,
  corpusCases,
  corpusContext as context,
  corpusRequest as requestFor,
} from '#test/helpers/noticeCorpus.ts';

/** The opt-out instruction every library-initiated SMS carries, in the patron's language. */
const OPT_OUT_INSTRUCTION = { en: /\bSTOP to (opt out|cancel)\.$/, es: /\bSTOP (para )?cancelar\.$/ } as const;

describe('Function: composeNotice', () => {
  it('keeps every SMS of the adversarial corpus GSM-7, one segment by both counters, and within every text rule', () => {
    let checked = 0;
    // Many cases give the same text (titles are left out of SMS by default): the independent counter,
    // the slow part, reads each distinct text once.
    const counted = new Set<string>();
    for (const { kind, language, request, context: caseContext } of corpusCases(NOTICE_KINDS)) {
      const notice = composeNotice(request, caseContext);
      const what = `${kind}/${language}: ${notice.sms}`;
      expect(isGsm7(notice.sms), what).toBe(true);
      expect(gsm7Length(notice.sms), what).toBeLessThanOrEqual(160);
      if (!counted.has(notice.sms)) {
        counted.add(notice.sms);
        const independent = new SegmentedMessage(notice.sms);
        expect(independent.encodingName, what).toBe('GSM-7');
        expect(independent.segmentsCount, what).toBe(1);
      }
      expect(notice.sms, what).not.toMatch(/undefined|\{\w+\}/);
      expect(notice.sms, what).not.toMatch(/"\s*"|"'|'"|\.\.|[\n\r\t]|\s[.,;:!?]|\s{2}/);
      // A direct answer to the patron's own text (renewal-reply) is not library-initiated: no opt-out instruction needed.
      if (QUIET_HOURS_RULES[kind] === 'wait-for-morning') expect(notice.sms, what).toMatch(OPT_OUT_INSTRUCTION[language]);
      if (NOTICE_CHANNELS[kind].includes('email')) {
        expect(notice.email?.subject).not.toMatch(/undefined/);
        expect(notice.email?.html).toContain(`<html lang="${language}">`);
      }
      checked++;
    }
    expect(checked).toBe(NOTICE_KINDS.length * 2 * 2 * LIBRARIES.length * TITLES.length);
  });

  it("drops no letter of any title, branch or message of the corpus, and keeps GSM-7's own letters", () => {
    const texts = [...TITLES, ...BRANCHES, ...MESSAGES.flatMap((message) => [message.en, message.es ?? ''])];
    for (const char of new Set(texts.flatMap((text) => [...text]))) {
      // A letter keeps a written form (Arabic ain is an apostrophe, as romanization writes it).
      if (/\p{L}/u.test(char)) expect(toGsm7(char), `U+${char.codePointAt(0)?.toString(16)}`).not.toBe('');
    }
    expect(toGsm7('Cien años, Müller, café, Ærø, Straße, Δ')).toBe('Cien años, Müller, café, Ærø, Straße, Δ');
    expect(toGsm7('Kırmızı Işık, Nỗi buồn, Łódź, 数学')).toBe('Kirmizi Isik, Noi buon, Lodz, ShuXue');
  });

  it('names no title when the title has nothing left in GSM-7, and never quotes an empty one', () => {
    for (const title of ['', '📚✨🐉', '  "" ']) {
      const notice = composeNotice(requestFor('hold-ready', title), context('en', LIBRARIES[0]!, true, 'Main Library'));
      expect(notice.sms).toBe(
        'Riverside Library: Your hold is ready at Main Library. Pick up by Tue Dec 1. Reply HELP for help, STOP to opt out.',
      );
    }
  });

  it('quotes a title once, whatever quotes it brings, and ends a cut one with a single dot', () => {
    const quoted = composeNotice(
      requestFor('hold-ready', '“Don’t Let the Pigeon Drive the Bus!”'),
      context('en', LIBRARIES[0]!, true, 'Main Library'),
    );
    expect(quoted.sms).toBe(
      'Riverside Library: "Don\'t Let the Pigeon Drive the Bus!" is ready at Main Library. Pick up by Tue Dec 1. Reply STOP to opt out.',
    );
    const long = composeNotice(
      requestFor('hold-ready', `${'Long title, '.repeat(20)}…`),
      context('en', LIBRARIES[0]!, true, 'Main Library'),
    );
    expect(long.sms).toMatch(
      /^Riverside Library: "Long title, (Long title, )*Long( title)?\." is ready at Main Library\. Pick up by Tue Dec 1\. Reply STOP to opt out\.$/,
    );
    expect(gsm7Length(long.sms)).toBeLessThanOrEqual(160);
  });

  it('refuses a service update or policy summary with nothing left in GSM-7', () => {
    const blank = { en: '🎉🎉🎉' };
    expect(() => composeNotice(requestFor('service-update', 'x', 1, blank), context('en', LIBRARIES[0]!, false, 'Main Library'))).toThrow(
      NoticeTextError,
    );
    expect(() =>
      composeNotice(requestFor('policy-update', 'x', 1, MESSAGES[0], blank), context('es', LIBRARIES[0]!, false, 'Main Library')),
    ).toThrow('summary has no letter or digit left in GSM-7');
  });

  it('leaves titles out of SMS by default and puts them in email', () => {
    const notice = composeNotice(requestFor('due-soon', 'Beloved', 3), context('en', LIBRARIES[0]!, false, 'Main Library'));
    expect(notice.sms).toBe(
      'Riverside Library: 3 items are due Tue Dec 1. Renew in the catalog or call 845-555-0111. Reply STOP to opt out.',
    );
    expect(notice.email?.subject).toBe('3 items are due Tue Dec 1');
    expect(notice.email?.text).toContain('- Beloved');
  });

  it('names the first title and how many more when titles are enabled', () => {
    const notice = composeNotice(requestFor('overdue', 'Beloved', 2), context('en', LIBRARIES[0]!, true, 'Main Library'));
    expect(notice.sms).toBe(
      'Riverside Library: "Beloved" and 1 more were due Tue Dec 1. Please return or renew. Help: 845-555-0111. STOP to opt out.',
    );
  });

  it('speaks Spanish, with money as US Spanish writes it, and keeps the reason out of SMS', () => {
    const notice = composeNotice(requestFor('fine-assessed', 'Beloved'), context('es', LIBRARIES[1]!, false, 'Main Library'));
    expect(notice.sms).toBe(
      'Bibl. San José: Se agrego un cargo de $12.75 a su cuenta. Detalles en el catalogo o en la biblioteca. STOP para cancelar.',
    );
    expect(notice.sms).not.toContain('Beloved');
    expect(notice.email?.text).toContain('Motivo: Damaged: Beloved.');
  });

  it('escapes HTML in email', () => {
    const notice = composeNotice(
      requestFor('hold-ready', '<script>alert(1)</script> & Co'),
      context('en', LIBRARIES[0]!, false, 'Main Library'),
    );
    expect(notice.email?.html).not.toContain('<script>');
    expect(notice.email?.html).toContain('&#60;script&#62;');
  });

  it('shortens a long service update to one segment and keeps its start', () => {
    const notice = composeNotice(requestFor('service-update', 'xxx', 1, MESSAGES[1]), context('en', LIBRARIES[0]!, false, 'Main Library'));
    expect(notice.sms).toBe(
      "Riverside Library: Starting December 1, the Main Library's parking lot will be closed for repaving - please use the municipal garage on. Reply STOP to opt out.",
    );
    expect(gsm7Length(notice.sms)).toBeLessThanOrEqual(160);
  });
});

describe('SMS replies', () => {
  it('keep the opt-out, opt-in, help and hint replies GSM-7 and one segment for every library and language', async () => {
    const { composeHelpReply, composeHint, composeOptOutReply, composeSmsOptIn } = await import('#shared/notices/smsReplies.ts');
    for (const library of LIBRARIES) {
      for (const language of ['en', 'es'] as const) {
        const branding = { ...library, libraryId: 'lib', senderEmail: 'notices@example.org', supportPhone: '+18455550111' };
        for (const reply of [composeOptOutReply, composeSmsOptIn, composeHelpReply, composeHint].map((compose) =>
          compose(language, branding),
        )) {
          expect(isGsm7(reply), reply).toBe(true);
          expect(gsm7Length(reply), reply).toBeLessThanOrEqual(160);
          expect(new SegmentedMessage(reply).segmentsCount, reply).toBe(1);
        }
      }
    }
  });
});
