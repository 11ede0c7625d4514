DROP TABLE profiles;
DROP TABLE auth_throttle;
DROP TABLE sessions;
