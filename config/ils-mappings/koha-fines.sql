-- Bookdrop report-file bridge: Koha "fines" (debits created or settled in the last two days).
-- A debit with amountoutstanding > 0 is assessed; one at 0 is resolved: waived when the last credit
-- applied to it was not a payment (WRITEOFF, FORGIVEN, CANCELLATION, DISCOUNT, ...), paid otherwise.
-- Two days of overlap make a missed run harmless: the same row gives the same event again.
SELECT accountlines.accountlines_id                  AS accountlines_id,
       accountlines.borrowernumber                   AS borrowernumber,
       accountlines.issue_id                         AS issue_id,
       accountlines.amount                           AS amount,
       accountlines.amountoutstanding                AS amountoutstanding,
       accountlines.debit_type_code                  AS debit_type_code,
       accountlines.date                             AS date,
       accountlines.timestamp                        AS updated_at,
       CASE WHEN (SELECT credit.credit_type_code
                  FROM account_offsets
                  JOIN accountlines AS credit ON credit.accountlines_id = account_offsets.credit_id
                  WHERE account_offsets.debit_id = accountlines.accountlines_id AND account_offsets.type = 'APPLY'
                  ORDER BY account_offsets.id DESC LIMIT 1) IN ('PAYMENT', 'PURCHASE', 'CREDIT', 'OVERPAYMENT')
            THEN 'paid' ELSE 'waived' END            AS resolution
FROM accountlines
WHERE accountlines.debit_type_code IS NOT NULL
  AND accountlines.borrowernumber IS NOT NULL
  AND accountlines.amount > 0
  AND accountlines.timestamp >= NOW() - INTERVAL 2 DAY
ORDER BY accountlines.accountlines_id
