/**
 * The notice-kind registry: one module per kind; the request schema, channel table and quiet-hours
 * table derive from it; the compiler refuses a kind without its templates.
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { defineNoticeKind } from '#shared/notices/kinds/defineNoticeKind.ts';
import {
  NOTICE_CHANNELS,
  NOTICE_KIND_REGISTRY,
  NOTICE_KINDS,
  noticeRequestSchema,
  QUIET_HOURS_RULES,
} from '#shared/notices/noticeKinds.ts';
import { WAITS_FOR_MORNING } from '#shared/notices/quietHours.ts';

const sms = {
  en: () => ({ text: 'x STOP to opt out.', slots: {}, shrink: [] }),
  es: () => ({ text: 'x STOP para cancelar.', slots: {}, shrink: [] }),
};

describe('Notice kind registry', () => {
  it('lists each kind once and derives the channel and quiet-hours tables from the kind modules', () => {
    expect(new Set(NOTICE_KINDS).size).toBe(NOTICE_KIND_REGISTRY.length);
    expect(NOTICE_KINDS).toEqual([
      'hold-ready',
      'hold-expiring',
      'due-soon',
      'overdue',
      'fine-assessed',
      'service-update',
      'policy-update',
      'sms-opt-in',
      'renewal-reply',
    ]);
    for (const definition of NOTICE_KIND_REGISTRY) {
      expect(NOTICE_CHANNELS[definition.kind]).toBe(definition.channels);
      expect(QUIET_HOURS_RULES[definition.kind]).toBe(definition.quietHours);
      expect(definition.email === undefined).toBe(!(definition.channels as readonly string[]).includes('email'));
    }
    expect(NOTICE_CHANNELS['sms-opt-in']).toEqual(['sms']);
  });

  it('holds every library-initiated text, broadcasts included, during quiet hours; only the answer to a RENEW text goes at once', () => {
    expect([...WAITS_FOR_MORNING].sort()).toEqual(NOTICE_KINDS.filter((kind) => kind !== 'renewal-reply').sort());
    expect(QUIET_HOURS_RULES['renewal-reply']).toBe('send-at-once');
  });

  it('validates a request by its kind: ids only, the ids of that kind are required', () => {
    const base = { type: 'notice', patronId: 'P-1', subjectId: 'H-1', subjectVersion: '1', causationId: 'e-1' };
    const hold = { title: 'Kindred', pickupBranch: 'riverside-main', pickupBy: '2026-12-01T22:00:00Z' };
    expect(noticeRequestSchema.safeParse({ ...base, kind: 'hold-ready' }).success).toBe(true);
    // A title sent along is not kept: the parsed request carries ids only.
    expect(noticeRequestSchema.parse({ ...base, kind: 'hold-ready', hold })).toEqual({ ...base, kind: 'hold-ready' });
    expect(noticeRequestSchema.safeParse({ ...base, kind: 'due-soon', loanIds: ['L-1'] }).success).toBe(true);
    expect(noticeRequestSchema.safeParse({ ...base, kind: 'due-soon', loanIds: [] }).success).toBe(false);
    expect(
      noticeRequestSchema.safeParse({
        ...base,
        kind: 'due-soon',
        items: [{ loanId: 'L-1', title: 'Kindred', dueAt: '2026-12-01T22:00:00Z' }],
      }).success,
    ).toBe(false);
    expect(noticeRequestSchema.safeParse({ ...base, kind: 'sms-opt-in' }).success).toBe(true);
    expect(noticeRequestSchema.safeParse({ ...base, type: undefined, kind: 'sms-opt-in' }).success).toBe(false);
    expect(noticeRequestSchema.safeParse({ ...base, kind: 'birthday' }).success).toBe(false);
  });

  it('lets the compiler refuse a kind without email templates for its email channel, or without a language', () => {
    const complete = defineNoticeKind({
      kind: 'test-kind',
      payload: { note: z.string() },
      ids: {},
      channels: ['sms'],
      quietHours: 'wait-for-morning',
      sms,
    });
    expect(
      complete.request.safeParse({
        type: 'notice',
        kind: 'test-kind',
        patronId: 'P',
        subjectId: 'S',
        subjectVersion: '1',
        causationId: 'e',
      }).success,
    ).toBe(true);
    // @ts-expect-error an email channel needs email templates
    defineNoticeKind({ kind: 'no-email', payload: {}, ids: {}, channels: ['sms', 'email'], quietHours: 'wait-for-morning', sms });
    // @ts-expect-error every language needs its SMS template
    defineNoticeKind({ kind: 'no-spanish', payload: {}, ids: {}, channels: ['sms'], quietHours: 'wait-for-morning', sms: { en: sms.en } });
    defineNoticeKind({
      kind: 'wrong-field',
      payload: { note: z.string() },
      ids: {},
      channels: ['sms'],
      quietHours: 'wait-for-morning',
      // @ts-expect-error a template reads only its own kind's payload
      sms: { ...sms, en: (request) => ({ text: request.other, slots: {}, shrink: [] }) },
    });
  });
});
