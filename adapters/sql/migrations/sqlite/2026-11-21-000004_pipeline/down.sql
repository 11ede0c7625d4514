DROP TABLE worker_leases;
DROP TABLE box_folders;
DROP TABLE webhook_receipts;
DROP TABLE allocation_decisions;
DROP TABLE allocation_claims;
