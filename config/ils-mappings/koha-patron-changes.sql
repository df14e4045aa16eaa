-- Bookdrop report-file bridge: Koha "patron changes" (borrowers updated in the last day).
-- sms_opt_in / email_opt_in: the patron has at least one messaging preference with that transport.
-- An empty smsalertnumber or email clears that contact in Bookdrop.
SELECT borrowers.borrowernumber AS borrowernumber,
       borrowers.updated_on     AS updated_on,
       borrowers.smsalertnumber AS smsalertnumber,
       borrowers.email          AS email,
       EXISTS (SELECT 1 FROM borrower_message_preferences
               JOIN borrower_message_transport_preferences
                 ON borrower_message_transport_preferences.borrower_message_preference_id = borrower_message_preferences.borrower_message_preference_id
               WHERE borrower_message_preferences.borrowernumber = borrowers.borrowernumber
                 AND borrower_message_transport_preferences.message_transport_type = 'sms') AS sms_opt_in,
       EXISTS (SELECT 1 FROM borrower_message_preferences
               JOIN borrower_message_transport_preferences
                 ON borrower_message_transport_preferences.borrower_message_preference_id = borrower_message_preferences.borrower_message_preference_id
               WHERE borrower_message_preferences.borrowernumber = borrowers.borrowernumber
                 AND borrower_message_transport_preferences.message_transport_type = 'email') AS email_opt_in,
       CASE WHEN borrowers.lang LIKE 'es%' THEN 'es' ELSE 'en' END AS language
FROM borrowers
WHERE borrowers.updated_on >= NOW() - INTERVAL 1 DAY
ORDER BY borrowers.borrowernumber
