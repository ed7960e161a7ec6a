-- The approval quota (approval/ApprovalQuota): how many requests one requester asked for within
-- the window is counted on every new request, newest first, so it reads this index only.
CREATE INDEX approval_request_requester_created
  ON approval_request (requester_issuer, requester_subject, created_at);
