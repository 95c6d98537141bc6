-- Contact details a referrer's system sent for a person Linkwell already knew (matched on NHS
-- number and date of birth) that differ from the record: kept for the triager to check, never
-- applied unseen. JSON, a list of {field, label, value}; empty when nothing differed.
ALTER TABLE fhir_referrals ADD COLUMN sent_details TEXT NOT NULL DEFAULT '';
