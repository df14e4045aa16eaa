-- Bookdrop report-file bridge: Koha "holds ready" (holds waiting on the hold shelf).
-- found = 'W' is a waiting hold; expirationdate is the last pickup day once it waits.
-- The same hold in the next file is the same event (its id is built from reserve_id and waiting day).
SELECT reserves.reserve_id                       AS reserve_id,
       reserves.borrowernumber                   AS borrowernumber,
       biblio.title                              AS title,
       reserves.branchcode                       AS branchcode,
       CONCAT(reserves.waitingdate, ' 00:00:00') AS waiting_since,
       reserves.expirationdate                   AS expirationdate
FROM reserves
JOIN biblio ON biblio.biblionumber = reserves.biblionumber
WHERE reserves.found = 'W'
  AND reserves.waitingdate IS NOT NULL
  AND reserves.expirationdate IS NOT NULL
ORDER BY reserves.reserve_id
