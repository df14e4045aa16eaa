-- Bookdrop report-file bridge: Koha "current loans" (every open loan, one row per loan).
-- Save as a Koha SQL report; run it with misc/cronjobs/runreport.pl --format=csv --csv-header and drop
-- the output as incoming/koha-current-loans/current-loans-<yyyyMMddTHHmmss>.csv (see docs/ils-bridges.md).
-- Returned loans leave `issues` for `old_issues`, so a loan missing from the next file was returned.
-- On-site checkouts are left out: they never leave the building and need no notice.
SELECT issues.issue_id        AS issue_id,
       issues.borrowernumber  AS borrowernumber,
       issues.itemnumber      AS itemnumber,
       biblio.title           AS title,
       items.itype            AS itype,
       issues.branchcode      AS branchcode,
       issues.issuedate       AS issuedate,
       issues.date_due        AS date_due,
       issues.lastreneweddate AS lastreneweddate
FROM issues
JOIN items  ON items.itemnumber = issues.itemnumber
JOIN biblio ON biblio.biblionumber = items.biblionumber
WHERE issues.onsite_checkout = 0
ORDER BY issues.issue_id
