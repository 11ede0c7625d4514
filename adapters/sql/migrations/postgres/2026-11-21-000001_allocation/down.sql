DROP TABLE capacity_overrides;
DROP TABLE office_closures;
