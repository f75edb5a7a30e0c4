CREATE SCHEMA IF NOT EXISTS mb_example_spring;
CREATE TABLE IF NOT EXISTS mb_example_spring.orders (
  id   TEXT PRIMARY KEY,
  item TEXT NOT NULL
);
