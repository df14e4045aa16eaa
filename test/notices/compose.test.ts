/**
 * Every notice kind in both languages, with and without titles in SMS, over a corpus of realistic
 * and awkward names, titles and branches: every SMS is GSM-7 and one segment; email renders.
 */
import { describe, expect, it } from 'vitest';
import { composeNotice } from '#shared/notices/compose.ts';
import { gsm7Length, isGsm7 } from '#shared/notices/gsm7.ts';
import { NOTICE_KINDS } from '#shared/notices/noticeKinds.ts';
import { LIBRARIES, TITLES, corpusCases, corpusContext as context, corpusRequest as requestFor } from '#test/helpers/noticeCorpus.ts';

describe('Function: composeNotice', () => {
  it('keeps every SMS GSM-7 and within one segment, for every kind, language and corpus entry', () => {
    let checked = 0;
    for (const { kind, language, request, context: caseContext } of corpusCases(NOTICE_KINDS)) {
      const notice = composeNotice(request, caseContext);
      expect(isGsm7(notice.sms), `${kind}/${language}: ${notice.sms}`).toBe(true);
      expect(gsm7Length(notice.sms), `${kind}/${language}: ${notice.sms}`).toBeLessThanOrEqual(160);
      expect(notice.sms).not.toMatch(/undefined|\{\w+\}/);
      if (kind !== 'sms-opt-in') {
        expect(notice.email?.subject).not.toMatch(/undefined/);
        expect(notice.email?.html).toContain(`<html lang="${language}">`);
      }
      checked++;
    }
    expect(checked).toBe(NOTICE_KINDS.length * 2 * 2 * LIBRARIES.length * TITLES.length);
  });

  it('leaves titles out of SMS by default and puts them in email', () => {
    const notice = composeNotice(requestFor('due-soon', 'Beloved', 3), context('en', LIBRARIES[0]!, false, 'Main Library'));
    expect(notice.sms).toBe('Riverside Library: 3 items are due Tue Dec 1. Renew in the catalog or call 845-555-0111. Reply STOP to opt out.');
    expect(notice.email?.subject).toBe('3 items are due Tue Dec 1');
    expect(notice.email?.text).toContain('- Beloved');
  });

  it('names the first title and how many more when titles are enabled', () => {
    const notice = composeNotice(requestFor('overdue', 'Beloved', 2), context('en', LIBRARIES[0]!, true, 'Main Library'));
    expect(notice.sms).toBe('Riverside Library: "Beloved" and 1 more were due Tue Dec 1. Please return or renew. Help: 845-555-0111. STOP to opt out.');
  });

  it('speaks Spanish, with money as US Spanish writes it, and keeps the reason out of SMS', () => {
    const notice = composeNotice(requestFor('fine-assessed', 'Beloved'), context('es', LIBRARIES[1]!, false, 'Main Library'));
    expect(notice.sms).toBe('Bibl. San José: Se agrego un cargo de $12.75 a su cuenta. Detalles en el catalogo o en la biblioteca. STOP para cancelar.');
    expect(notice.sms).not.toContain('Beloved');
    expect(notice.email?.text).toContain('Motivo: Damaged: Beloved.');
  });

  it('escapes HTML in email', () => {
    const notice = composeNotice(requestFor('hold-ready', '<script>alert(1)</script> & Co'), context('en', LIBRARIES[0]!, false, 'Main Library'));
    expect(notice.email?.html).not.toContain('<script>');
    expect(notice.email?.html).toContain('&#60;script&#62;');
  });

  it('shortens a long service update to one segment and keeps its start', () => {
    const notice = composeNotice(requestFor('service-update', 'xxx'), context('en', LIBRARIES[0]!, false, 'Main Library'));
    expect(notice.sms.startsWith('Riverside Library: Starting December 1, the Main Library')).toBe(true);
    expect(gsm7Length(notice.sms)).toBeLessThanOrEqual(160);
  });
});

describe('SMS replies', () => {
  it('keep the opt-out, opt-in, help and hint replies GSM-7 and one segment for every library and language', async () => {
    const { composeHelpReply, composeHint, composeOptOutReply, composeSmsOptIn } = await import('#shared/notices/smsReplies.ts');
    for (const library of LIBRARIES) {
      for (const language of ['en', 'es'] as const) {
        const branding = { ...library, libraryId: 'lib', senderEmail: 'notices@example.org', supportPhone: '+18455550111' };
        for (const reply of [composeOptOutReply, composeSmsOptIn, composeHelpReply, composeHint].map((compose) => compose(language, branding))) {
          expect(isGsm7(reply), reply).toBe(true);
          expect(gsm7Length(reply), reply).toBeLessThanOrEqual(160);
        }
      }
    }
  });
});
