DROP TABLE messages;
DROP TABLE connections;
DROP TABLE connection_requests;
DROP TABLE applications;
DROP TABLE job_sync_state;
DROP TABLE jobs;
