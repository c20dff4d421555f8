"""Test support: real Postgres databases and RabbitMQ vhosts created per test session, settings builders."""
