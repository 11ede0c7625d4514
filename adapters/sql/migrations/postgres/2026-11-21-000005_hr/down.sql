DROP TABLE oauth_states;
DROP TABLE eh_credentials;
DROP TABLE leave_requests;
DROP TABLE employees;
