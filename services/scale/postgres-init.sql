-- Run once by the postgres image when the profile "scale"'s postgres-data volume is new
-- (/docker-entrypoint-initdb.d): one database per service whose replicas share a store.
CREATE DATABASE review;
CREATE DATABASE payment_channel;
