-- What the approver is shown besides the arguments (a pull request's title, author, branches,
-- changed files), read when approval is requested. Not bound by the fingerprint.
ALTER TABLE approval_request ADD COLUMN context TEXT DEFAULT '{}' NOT NULL;
