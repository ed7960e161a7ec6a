-- The audit page filters in the database, newest first (ORDER BY seq DESC) with keyset paging
-- (seq < ?): one index per filter the page offers, each ending in seq so that the newest
-- matches are read first and the scan stops after one page. The subject index of V2 is
-- replaced by one that ends in seq too.
CREATE INDEX audit_record_tool_seq ON audit_record (chain, tool, seq);
CREATE INDEX audit_record_outcome_seq ON audit_record (chain, outcome, seq);
CREATE INDEX audit_record_effect_seq ON audit_record (chain, effect, seq);
CREATE INDEX audit_record_subject_seq ON audit_record (chain, subject, seq);
CREATE INDEX audit_record_at ON audit_record (chain, at);
DROP INDEX audit_record_subject;
