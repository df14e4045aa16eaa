/**
 * Every email kind, in both languages, carries the one-click unsubscribe headers and a visible
 * "stop these emails" link to the same URL in its text and HTML bodies; no email is composed
 * without a link.
 */
import { describe, expect, it } from 'vitest';
import { composeNotice } from '#shared/notices/compose.ts';
import { emailFooter } from '#shared/notices/emailFooter.ts';
import { NOTICE_CHANNELS, NOTICE_KINDS } from '#shared/notices/noticeKinds.ts';
import { LIBRARIES, corpusContext, corpusRequest } from '#test/helpers/noticeCorpus.ts';

const EMAIL_KINDS = NOTICE_KINDS.filter((kind) => NOTICE_CHANNELS[kind].includes('email'));
const URL_WITH_QUERY = 'https://unsubscribe.example.org/unsubscribe?token=abc.def&lang=LANG&lib=riverside';
const STOP = { en: 'Stop these emails', es: 'Dejar de recibir estos correos' };

describe('Function: emailFooter', () => {
  it.each(EMAIL_KINDS.flatMap((kind) => (['en', 'es'] as const).map((language) => ({ kind, language }))))(
    'gives $kind in $language the one-click headers and the link in text and HTML',
    ({ kind, language }) => {
      const url = URL_WITH_QUERY.replace('LANG', language);
      const context = { ...corpusContext(language, LIBRARIES[0]!, false, 'Main Library'), unsubscribeUrl: url };

      const email = composeNotice(corpusRequest(kind, 'Beloved'), context).email;

      expect(email?.headers).toEqual([
        { name: 'List-Unsubscribe', value: `<${url}>` },
        { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
      ]);
      expect(email?.text).toContain(`${STOP[language]}: ${url}\n`);
      expect(email?.html).toContain(`<a href="${url.replace(/&/g, '&#38;')}" style="color:#0b5394">${STOP[language]}</a>`);
      expect(email?.html).toContain(`<html lang="${language}">`);
    },
  );

  it('covers every kind that goes out by email', () => {
    expect(EMAIL_KINDS).toEqual(['hold-ready', 'hold-expiring', 'due-soon', 'overdue', 'fine-assessed', 'service-update', 'policy-update']);
  });

  it('composes no email without an unsubscribe link, and the SMS is the same either way', () => {
    const context = corpusContext('en', LIBRARIES[0]!, false, 'Main Library');
    const withLink = composeNotice(corpusRequest('hold-ready', 'Beloved'), context);
    const without = composeNotice(corpusRequest('hold-ready', 'Beloved'), { ...context, unsubscribeUrl: undefined });

    expect(without).toEqual({ sms: withLink.sms });
  });

  it('escapes the library name and the URL in HTML', () => {
    const footer = emailFooter('en', 'Books & <More>', 'https://x.example/u?token=a"b&lang=en');

    expect(footer.html).toContain('Books &#38; &#60;More&#62;');
    expect(footer.html).toContain('href="https://x.example/u?token=a&#34;b&#38;lang=en"');
    expect(footer.text).toContain('notices from Books & <More>.');
  });
});
