/**
 * The registration a bench patron starts with: SMS and email opted in at Riverside, a distinct
 * fictional number and address per index (`numberBase` keeps two benches' numbers apart).
 */
export function benchRegistration(patronId: string, index: number, numberBase: number, emailPrefix: string) {
  return {
    detailType: 'PatronRegistered' as const,
    detail: {
      eventId: `reg-${index}`,
      occurredAt: '2026-11-02T10:00:00-05:00',
      patronId,
      library: 'riverside',
      contact: { phone: `+1555${String(numberBase + index).padStart(7, '0')}`, email: `${emailPrefix}${index}@example.net` },
      consent: { sms: true, email: true, checkoutHistory: false },
      policyVersion: '2026-09',
    },
  };
}

/** A bench patron's hold, ready at Riverside Main a week before its pick-up date. */
export function benchHoldReady(patronId: string, index: number) {
  return {
    detailType: 'HoldReady' as const,
    detail: {
      eventId: `hold-${index}`,
      occurredAt: '2026-11-04T09:00:00-05:00',
      holdId: `H-${index}`,
      patronId,
      title: 'Piranesi',
      pickupBranch: 'riverside-main',
      pickupBy: '2026-11-11T20:00:00-05:00',
    },
  };
}
